// chrome_trace.hpp: a recorded run as Chrome trace event JSON, for Perfetto
// (ui.perfetto.dev) and chrome://tracing. The run's events stream from the
// log in seq order and the trace streams out as they come: memory holds
// per-goroutine, per-channel and per-lock state only, never the run.
//
// Time. A trace needs time to have width, and many events of a run share
// one virtual instant; so an event at virtual time T (ns) with sequence
// number S is placed at ts = T/1000 + S microseconds. Each event gets a
// microsecond of its own, in seq order, and a virtual gap (a 5 s sleep)
// stays a gap of that length.
//
// What is drawn (pid 1; tid = gid, tid 0 = the runtime):
// - a named track per goroutine ("g2 sender"), sorted by gid;
// - slices `running` (cat run) from the event where a goroutine starts
//   running to the one where it parks, exits or another one runs, and one
//   slice per wait (cat blocked), named by its wait reason and object
//   ("chan receive on value"), from park to wake;
// - half-microsecond slices (cat op) for channel and lock operations (send,
//   recv, close, lock, unlock, rlock, runlock), named "<kind> <object>";
// - flow arrows (ph s/f, bp e, id = the receiving event's seq): from each
//   send to the receive that got its value (also through a buffer, and from
//   a blocked sender's wait when a receiver took its value), and from each
//   unlock to the lock it let through (the lock's cause, or the latest
//   release by another goroutine);
// - instant events: select choices, timer fires, the failure (panic,
//   check failed; global scope) and every other kind, unknown ones included
//   ("kind 40": a log written by a newer build);
// - counters: "goroutines" {runnable, blocked} (runnable counts the running
//   one) and "chan NAME #ID" {len}, at each change;
// - for a run on Go's scheduler (--procs), pid 2 "Ps": a track per P (tid =
//   P) with a slice per stretch a goroutine runs there ("g2 sender", from
//   its switch there to its park, exit, yield or preemption, or the next
//   switch there), as Go's trace viewer shows Ps, and a counter "P<k> runq"
//   {len} of its local run queue at each spawn, wake and switch there (a
//   steal shortens its victim's unseen until the victim's next one).
// Slices still open at the end of the run (a leaked goroutine's wait) end
// one microsecond after its last event.
#pragma once

#include <ostream>

#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::cli {

// write_chrome_trace() writes run as one JSON object {"traceEvents": [...],
// "displayTimeUnit": "ns", "otherData": {...}}, an event per line.
void write_chrome_trace(std::ostream& out, storage::EventLogReader& log, const storage::RunRow& run);

}  // namespace gorewind::cli
