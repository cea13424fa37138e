// event_line.hpp: one stored event as a line of `gorewind show`, in text
// (like dlv trace: who did what to which object, with which value, where)
// or as a JSON object.
//
//   12  0s  g2 sender  send    chan value  42  to g1  at scenarios/handoff.cpp:12
#pragma once

#include <cstddef>
#include <string>

#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/stored_event.hpp>

namespace gorewind::cli {

// EventColumns are the widths that align a run's lines.
struct EventColumns {
  std::size_t seq = 1;   // digits of the largest seq
  std::size_t gid = 1;   // digits of the largest goroutine id
  std::size_t name = 0;  // the longest goroutine name
};

// run_columns() are the widths that align the lines of run's events.
EventColumns run_columns(storage::EventLogReader& log, const storage::RunRow& run);

// event_line() is e as text: seq, virtual time, goroutine id and name, kind,
// the object (kind and name), the value, what else the kind carries (peer,
// cause, select case, amounts, text) and the site. No newline.
std::string event_line(const storage::StoredEvent& e, const EventColumns& columns);

// event_json() is e as one JSON object: seq, vtime_ns, gid, goroutine,
// kind, obj_kind, obj, object, peer, reason, ok, select_case, ready, cause,
// amount, counter, value (its text), type_name, text, site {file, line,
// function}. No newline.
std::string event_json(const storage::StoredEvent& e);

}  // namespace gorewind::cli
