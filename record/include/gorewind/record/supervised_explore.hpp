// supervised_explore.hpp: gorewind::explore in supervised worker
// processes. The program under test may crash, abort, spin or exit() on
// some schedules: each worker is a ChildProcess that runs gorewind::explore
// over its slice of the search, so such a schedule kills only its worker.
// This process holds the search's position (random, pct), the totals and
// the failures found, reports the schedule a worker died in with its seed,
// its decisions and how it died, and (with keep_going) forks a worker that
// goes on.
//
//   record::SupervisedExplore o;
//   o.explore.strategy = "pct";
//   o.jobs = 2;
//   record::SupervisedExploreResult r = record::explore_supervised(body, o);
//   // r.failures: lowest seed first, each with its decisions
//
// Workers are forked from this process: call it before it has a thread or
// a database connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <gorewind/explore.hpp>
#include <gorewind/record/child_process.hpp>

namespace gorewind::record {

// FoundSchedule is one failing schedule: its seed (dfs: its number in the
// search), what happened (outcome, message, goroutine, site, events) and
// its decisions; for the schedule a worker died in, how it died too. The
// decisions of a death are those it had made when it died (a ScriptedStrategy
// of them runs into the same death); empty when there were too many to keep.
struct FoundSchedule {
  std::uint64_t seed = 0;
  RunResult result;  // a death: fault_result(*died)
  std::vector<Choice> schedule;
  std::optional<ChildEnd> died;
};

// SupervisedExplore is a supervised search.
struct SupervisedExplore {
  // explore is the search; its proceed, on_failure and progress hooks
  // belong to the workers and are replaced.
  ExploreOptions explore;
  unsigned jobs = 1;   // worker processes, 1 to 256
  double timeout = 10; // wall-clock seconds per schedule; 0: none
  // progress, when set, is called in this process as the totals move.
  std::function<void(std::uint64_t runs, std::uint64_t failures)> progress;
  // interrupted, when set, is asked as the search goes: true stops it (a
  // Ctrl-C), and the schedules running are cut: neither counted nor failures.
  std::function<bool()> interrupted;
};

// SupervisedExploreResult is what a supervised search found.
struct SupervisedExploreResult {
  // failures: lowest seed first; without keep_going only the lowest, as a
  // single process would report.
  std::vector<FoundSchedule> failures;
  std::uint64_t runs = 0;
  std::uint64_t pct_steps = 0;  // pct: the run length measured (in a child) and used by every worker
  bool exhausted = false;       // dfs: every schedule within the bound ran; dpor: every trace
  std::uint64_t classes = 0;    // see ExploreResult
  std::optional<double> new_class_probability;
  bool confident = false;
  bool interrupted = false;
  double seconds = 0;
};

// explore_supervised() runs the search in options.jobs workers. This
// process holds a random or pct search's position: each worker takes the
// next seed of the search (of shard I of N: seed_start + k*N + I) when it is
// ready for one, so a slow schedule holds no one back and the worker that
// replaces a dead one goes on where the search stands. A dfs or dpor
// search's state stays in its worker (worker w of J in shard I of N explores
// dfs's slice I + N*w of N*J; dpor has one worker): before each schedule the
// worker saves it in shared memory and journals what the schedule tells the
// search, so with keep_going the worker that replaces a dead one resumes the
// search past the schedule that killed it (SearchResume), and a crash does
// not end the search. Without keep_going every worker
// stops once a lower seed than the one it would take has failed, so the
// lowest failing seed is found whichever worker gets there first. explore.seconds cuts the schedules running when it is up.
// pct's run length is measured in a child first. Throws Error when a
// worker cannot be started or reports garbage.
SupervisedExploreResult explore_supervised(const std::function<void()>& fn, const SupervisedExplore& options);

// measure_pct_steps_supervised() is measure_pct_steps(fn, options) run in a
// supervised child, so that a program that crashes or spins on the seed it
// measures kills nothing here; such a program gets a length of 1 (its
// schedules then report the crash).
std::uint64_t measure_pct_steps_supervised(const std::function<void()>& fn, const ExploreOptions& options,
                                           double timeout);

// as_explore_result() is a supervised search's result in the terms of
// gorewind::explore's.
ExploreResult as_explore_result(const SupervisedExploreResult& r, const std::string& strategy);

}  // namespace gorewind::record
