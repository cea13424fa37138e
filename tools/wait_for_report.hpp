// wait_for_report.hpp: a wait-for graph as text, one line per blocked
// goroutine, as `run` and `show` print it after a deadlock or a leak, and
// as JSON:
//
//   wait-for graph (who could wake each blocked goroutine):
//     g2 philosopher0  sync.Mutex.Lock on fork1  <- g3 philosopher1 (holder)
//     g3 philosopher1  sync.Mutex.Lock on fork0  <- g2 philosopher0 (holder)
//     cycle: g2 philosopher0 -> g3 philosopher1 -> g2
#pragma once

#include <ostream>
#include <string>

#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/wait_for_graph.hpp>

#include "state_dump.hpp"

namespace gorewind::cli {

// name_objects() gives each waited object the state does not name (a Cond,
// a timer, a Once) its name from the log's objects table.
void name_objects(WaitForGraph& graph, const ObjectNames& names);

// log_wait_for() is the wait-for graph of run right after event seq, from
// the log's state there, every object named.
WaitForGraph log_wait_for(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq);

// object_label() is how a waited object is named: its name, or its kind and
// id when it has none ("cond 7"; "timer" for a sleep).
std::string object_label(const WaitedObject& o);

// write_wait_for_text() prints the heading and a line per blocked
// goroutine of graph, then each cycle of goroutines that wait for each
// other for sure (through holders, writers ahead and peers: not through
// "active" or "any", who only might); nothing when the graph is empty.
void write_wait_for_text(std::ostream& out, const WaitForGraph& graph);

// wait_for_json() is graph as a JSON array, one object per blocked
// goroutine: {id, name, state, site, waits_on [{kind, id, name, send,
// wakers [{id, name, role}]}]}.
std::string wait_for_json(const WaitForGraph& graph);

}  // namespace gorewind::cli
