// event_query.hpp: which events of a run to read, as a value. An
// EventQuery names the run and narrows it: a seq range walked in one
// direction, goroutines, kinds, an object, a source site, a trace label, an
// M and a condition over the event's fields. Every narrowing set must hold. The
// reader answers it (EventLogReader::events, first, count); nothing outside
// storage/ knows how.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/storage/event_condition.hpp>

namespace gorewind::storage {

// Direction is the order a query walks its seq range in.
enum class Direction : std::uint8_t {
  Forward,   // ascending seq
  Backward,  // descending seq
};

// SiteSelector is a place in the source: a file and line (the file as the
// log holds it, or a trailing part of it after a '/'), or a function's name.
struct SiteSelector {
  std::string file;
  std::uint32_t line = 0;
  std::string function;  // when set, file and line are ignored
};

struct EventQuery {
  // EventQuery() selects every event of run, in seq order.
  explicit EventQuery(std::int64_t run_id) : run(run_id) {}

  std::int64_t run;
  std::uint64_t from = 0;         // first seq
  std::uint64_t to = UINT64_MAX;  // last seq
  Direction direction = Direction::Forward;
  std::vector<Gid> goroutines;    // any of them; empty: any goroutine
  std::vector<EventKind> kinds;   // any of them; empty: any kind
  std::optional<ObjKind> obj_kind;
  std::vector<std::uint32_t> objects;  // any of these ids; empty: any object
  // object_name: an object of obj_kind (a channel when unset) named so, or
  // with this id in decimal.
  std::optional<std::string> object_name;
  std::optional<SiteSelector> site;
  std::optional<std::string> trace_label;  // Trace events with this label
  std::optional<std::int32_t> m;            // events on this M (Go's scheduler); none in gorewind's own model
  std::optional<EventCondition> condition;
};

}  // namespace gorewind::storage
