// state_dump.hpp: a run's state at one seq as text (like a Go goroutine
// dump, then the channels, locks, WaitGroups and watched values) or as one
// JSON object. Shared by `state` and the debugger.
//
//   run 1 (handoff) at seq 5, virtual time 0s
//
//   goroutine 1 [chan receive on value]:
//   main
//   	scenarios/handoff.cpp:14
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include <gorewind/gmp_state.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::cli {

// ObjectNames are the names of a run's objects by id (the objects table).
using ObjectNames = std::map<std::uint32_t, std::string>;

// object_names() reads the names of every object run made.
ObjectNames object_names(storage::EventLogReader& log, std::int64_t run);

// status_text() is what Go prints between the brackets of a goroutine's
// header: its wait reason and what it waits on ("chan send on jobs"), or
// runnable / running.
std::string status_text(const GoroutineInfo& g, const ObjectNames& names);

// goroutine_site() is g's site as a goroutine dump and the goroutine
// profile show it: "(not started)" for a goroutine that has not run yet.
std::string goroutine_site(const GoroutineInfo& g);

// write_goroutines_text() prints each goroutine of s as a Go goroutine dump
// does, a blank line between two; "no goroutines" when there is none.
void write_goroutines_text(std::ostream& out, const RuntimeState& s, const ObjectNames& names);

// write_channels_text() prints "channels:" and a line per channel of s;
// nothing when there is none.
void write_channels_text(std::ostream& out, const RuntimeState& s);

// write_state_text() prints s: a header line naming the run, its scenario,
// the seq and the virtual time, then every goroutine, channel, lock,
// WaitGroup and watched value, then, after a blank line, Go's scheduler
// (write_gmp_text) when gmp has one.
void write_state_text(std::ostream& out, const storage::RunRow& run, const RuntimeState& s, const ObjectNames& names,
                      const GmpState* gmp = nullptr);

// state_json() is s as one JSON object on one line, without a newline. Keys:
// run, scenario, seq, vtime_ns, goroutines [{id, name, parent, state,
// wait_reason, waiting_on {kind, id, name}, site, offering}], channels [{id,
// name, type, cap, closed, buffer, senders, receivers}], locks [{id, kind,
// name, owner, readers, waiters}], wait_groups [{id, name, counter,
// waiters}], watched {name: value}, gmp (gmp_json(): Go's scheduler; null
// when not given, or in gorewind's own model).
std::string state_json(const storage::RunRow& run, const RuntimeState& s, const ObjectNames& names,
                       const GmpState* gmp = nullptr);

}  // namespace gorewind::cli
