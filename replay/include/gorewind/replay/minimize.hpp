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
  // one_minimal: no single decision of the result can take option 0 (let
  // the running goroutine go on, the first case or waiter) and still fail
  // the same way with no more preemptions; each was tried. False when the
  // attempts ran out first.
  bool one_minimal = false;
  std::uint64_t dfs_searches = 0;  // bounded dfs searches made after the reduction
  bool from_dfs = false;           // the result is a dfs search's schedule, with fewer preemptions
};

// kDfsMaxBound is the largest preemption bound minimize() searches with dfs.
inline constexpr int kDfsMaxBound = 2;

// MinimizeLimits bound a minimization.
struct MinimizeLimits {
  std::uint64_t max_attempts = 2000;
  // timeout is each attempt's wall-clock budget in seconds (0: none); an
  // attempt that runs past it ends in Outcome::Timeout, as a supervised run.
  double timeout = 10;
  // dfs_runs is how many schedules each bounded dfs search may run.
  std::uint64_t dfs_runs = 500;
};

// minimize() shrinks a failing schedule of fn. First by delta debugging
// over its decisions that did not take option 0: it resets parts of them to
// option 0 (let the running goroutine go on, take the first ready case or
// waiter), in halves, quarters, ... down to one at a time, the rest of the
// script followed as far as it still applies and option 0 after; a
// candidate is kept when it fails with the same outcome at the same site
// with fewer preemptions, or as many and no figure larger. It ends when no
// single decision can be reset (1-minimal) or after max_attempts runs. Then
// dfs searches bounded to 0, 1, ... preemptions, below what is left and at
// most kDfsMaxBound, look for the same failure with fewer preemptions, each
// over at most dfs_runs schedules; the first found replaces the result. The
// result never has more preemptions than the input, and as many only with
// no figure larger: at worst it is the input. options
// gives the scenario's run settings (params, max_steps); its strategy and
// observers are replaced.
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
