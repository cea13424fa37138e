// location.hpp: where a breakpoint goes, as a user types it in a debugger,
// turned into the EventQuery that selects the events there:
//
//   scenarios/handoff.cpp:13   FILE:LINE (the file as the log holds it, or a
//                              trailing part of it after a '/')
//   worker                     FUNCTION: as the log holds it, or its name
//                              without return type and parameters
//   send                       an event kind; panic: panic or check_failed
//   g2                         goroutine 2's events
//   chan jobs                  the events on channel jobs (name or id)
#pragma once

#include <cstdint>
#include <string_view>

#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/event_query.hpp>

namespace gorewind::replay {

// location_query() is the query of run's events at spec. Throws ReplayError,
// one line for the user, for a spec that names nothing the log has: a line
// without an event, an unknown function, channel or word.
storage::EventQuery location_query(storage::EventLogReader& log, std::int64_t run, std::string_view spec);

// watch_query() is the query of the writes (Store events) to run's shared
// cell (gr::shared) named name, or with that id: a watchpoint's events.
// Throws ReplayError when the run has no such cell.
storage::EventQuery watch_query(storage::EventLogReader& log, std::int64_t run, std::string_view name);

}  // namespace gorewind::replay
