// minimize.hpp: a failing schedule made simpler, keeping its failure.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <gorewind/outcome.hpp>
#include <gorewind/run.hpp>
#include <gorewind/schedule_script.hpp>

namespace gorewind::replay {

// ScheduleFigures measure how hard a schedule is to follow.
struct ScheduleFigures {
  std::uint64_t preemptions = 0;  // another goroutine chosen where the running one could go on
  std::uint64_t switches = 0;     // Switch events
  std::uint64_t events = 0;
  // no_worse_than() is true when no figure is larger than other's.
  bool no_worse_than(const ScheduleFigures& o) const {
    return preemptions <= o.preemptions && switches <= o.switches && events <= o.events;
  }
  friend bool operator==(const ScheduleFigures&, const ScheduleFigures&) = default;
};

// Minimized is the outcome of a minimization.
struct Minimized {
  std::vector<Choice> schedule;  // replays with ScriptedStrategy to the same failure
  RunResult result;              // the run of that schedule
  ScheduleFigures before;
  ScheduleFigures after;
  std::uint64_t attempts = 0;  // runs tried
};

// MinimizeLimits bound a minimization.
struct MinimizeLimits {
  std::uint64_t max_attempts = 2000;
  // timeout is each attempt's wall-clock budget in seconds (0: none); an
  // attempt that runs past it ends in Outcome::Timeout, as a supervised run.
  double timeout = 10;
};

// minimize() shrinks a failing schedule of fn: it tries, one decision at a
// time from the last, to take option 0 instead (let the running goroutine go
// on, take the first ready case or waiter), the rest of the script followed
// as far as it still applies and option 0 after; a candidate is kept when it
// fails with the same outcome at the same site and no figure grows, until a
// whole pass keeps nothing or max_attempts runs were made. The result is
// never longer than the input: at worst it is the input. options gives the
// scenario's run settings (params, max_steps); its strategy and observers
// are replaced.
//
// Every attempt runs in a supervised child process (record::ChildProcess),
// so a schedule that crashes or spins is an attempt that failed that way,
// with the site of its fault (fault_result()), and a run that ended in a
// crash or a timeout is minimized like any other failure. What an attempt
// decided reaches this process through shared memory as it decides, so
// the schedule of an attempt that died is kept whole.
Minimized minimize(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& schedule,
                   const MinimizeLimits& limits = {});

}  // namespace gorewind::replay
