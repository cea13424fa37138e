// timeline.hpp: time travel over one recorded run, as a library (modelled
// on rr's ReplayTimeline). A position is a Mark, the seq of the event just
// executed. Every move returns a Stop saying where it ended and why.
//
//   gr::storage::EventLogReader log("gorewind.db");
//   gr::replay::Timeline t(log, 3);              // opens at the failure, if any
//   gr::storage::EventQuery sends(3);
//   sends.kinds = {gr::EventKind::Send};
//   t.add(gr::replay::Breakpoint(sends));
//   gr::replay::Stop s = t.continue_backward();  // the last send before it
//   gr::RuntimeState st = t.log_state();         // goroutines, channels there
//
// Moves are seeks in the log: breakpoints and watchpoints are EventQuery
// values, so "the next event matching any of them" is one query each, in
// either direction, and log state is rebuilt from the nearest snapshot.
// Process state (native frames, what finish needs) comes from re-executing
// the run from the nearest checkpoint (ProcessStates), only when asked for.
// Several Timelines may live over one log at once: each owns its position
// and breakpoints; they share the reader and the ProcessStates given them.
// A Timeline is used from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/outcome.hpp>
#include <gorewind/replay/breakpoint.hpp>
#include <gorewind/replay/process_state.hpp>
#include <gorewind/replay/process_states.hpp>
#include <gorewind/replay/stop.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::replay {

// Timeline is one run's position, breakpoints and ways to move and look.
class Timeline {
 public:
  // Timeline() is run's timeline over log, positioned at opening(). Throws
  // storage::StorageError for an unknown run or an unreadable log.
  Timeline(storage::EventLogReader& log, std::int64_t run);

  // use_processes() gives the timeline process state: states re-executes
  // the run from body (code of this program that recorded it). Without it,
  // or with states null, process state throws ReplayError(why_not).
  void use_processes(ProcessStates* states, void (*body)(), std::string why_not);

  const storage::RunRow& run() const { return run_; }
  // mark() is the position.
  Mark mark() const { return pos_; }
  // end() is the last event's seq (0 for a run without events).
  Mark end() const { return run_.events; }
  // failure() is the event the run failed at: for a leak, the last park of
  // the first goroutine left blocked (by gid); for any other failed run, its last event (the
  // panic, the failed check, the crash). 0 for a run that ended ok or has
  // no outcome yet.
  Mark failure() const { return failure_; }
  // opening() is where a debugger opens: the failure; the cut of a run that
  // ended without an outcome; else before the first event.
  Mark opening() const;

  // The moves. Each ends in [0, end()] and returns where and why; none throws
  // for a position it cannot go past: it stops at the start or the end.
  //
  // seek() goes to m (StopReason::Step); throws ReplayError beyond end().
  Stop seek(Mark m);
  // step() goes n events forward, back() n backward, without looking at
  // breakpoints (an event is the smallest step there is). Stopped by an end,
  // the Stop says Start or End.
  Stop step(std::uint64_t n = 1);
  Stop back(std::uint64_t n = 1);
  // continue_forward() goes to the next event matching an enabled breakpoint
  // or watchpoint (once its ignore count is spent), or to the failure,
  // whichever comes first; to the end when none does. continue_backward()
  // goes to the previous such event, or to the start.
  Stop continue_forward();
  Stop continue_backward();
  // next() goes to goroutine g's next event (Delve's next at the granularity
  // of events); reverse_next() to its previous one. A breakpoint met first
  // stops them, as in gdb; with no such event they go on as continue does.
  Stop next(Gid g);
  Stop reverse_next(Gid g);
  // finish() goes to goroutine g's next event in a caller of its frame
  // `frame` (0: innermost) here; reverse_finish() to its last such event
  // before here. Throws ReplayError without process state or when g has no
  // frame here.
  Stop finish(Gid g, std::size_t frame = 0);
  Stop reverse_finish(Gid g, std::size_t frame = 0);

  // add() adds b (its id is set: the next one, from 1) and returns the id.
  int add(Breakpoint b);
  // breakpoint() is breakpoint id, to change in place (condition, ignore,
  // enabled); throws ReplayError for no such id.
  Breakpoint& breakpoint(int id);
  // remove() deletes breakpoint id; throws ReplayError for no such id.
  void remove(int id);
  // breakpoints() are the breakpoints and watchpoints, in id order.
  const std::vector<Breakpoint>& breakpoints() const { return breakpoints_; }

  // event() is event seq (1 ... end()) of the run; throws ReplayError for
  // one the log lacks.
  storage::StoredEvent event(Mark seq);
  // cause_of() is the event that caused event seq: the one its cause field
  // names (the send a receive took, the event that woke it) or, for a lock,
  // the unlock it came after, as in Go's memory model. 0: none.
  Mark cause_of(Mark seq);
  // log_state() is the state here from the log alone (no program runs).
  RuntimeState log_state();
  // process_state() is the re-executed program's state here. Throws
  // ReplayError without process state or when re-execution fails.
  const ProcessState& process_state();
  // frames() are goroutine g's frames here as the user wrote them,
  // innermost first (empty: it has not run yet). Throws as process_state()
  // does, and ReplayError when g does not exist here.
  std::vector<Frame> frames(Gid g);
  // locals() are the watched values (gr::watch) goroutine g has set up to
  // here, by name, with their values here.
  std::map<std::string, std::string> locals(Gid g);
  // evaluate() is expr here: a watched value's name gives its value; an
  // event field of the condition language (goroutine, seq, time, value,
  // peer, obj, amount, counter, case) the current event's; a condition
  // "true" or "false" for the current event. Throws ReplayError for a name
  // that is none of these, storage::ConditionError for a bad condition.
  std::string evaluate(std::string_view expr);

 private:
  // resume() walks from here in one direction to the first event where a
  // breakpoint stops (counting hits and ignores on the way), the failure
  // (forward) or target, whichever comes first; else to the end or start.
  Stop resume(bool forward, std::optional<Mark> target);
  // depth() is g's count of user frames at seq.
  std::size_t depth(Gid g, Mark seq);
  std::optional<Mark> goroutine_event(Gid g, bool forward);
  std::optional<Mark> finish_target(Gid g, std::size_t frame, bool forward);

  storage::EventLogReader& log_;
  storage::RunRow run_;
  Mark failure_ = 0;
  Mark pos_ = 0;
  std::vector<Breakpoint> breakpoints_;
  int next_id_ = 1;
  ProcessStates* processes_ = nullptr;
  void (*body_)() = nullptr;
  std::string no_processes_ = "this timeline has no process state";  // why there is none
};

}  // namespace gorewind::replay
