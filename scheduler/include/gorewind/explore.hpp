// explore.hpp: many schedules of one program, looking for the ones that fail
// (the counterpart of loom::model and shuttle::check_random for a test).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/outcome.hpp>
#include <gorewind/run.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

struct ExploreFailure;

// SearchResume is where a dfs or dpor search stood when the process running
// it died, or left, in schedule `number`: the state saved before that
// schedule and the journal the schedule wrote (SystematicStrategy), which
// another process resumes from.
struct SearchResume {
  std::uint64_t number = 0;
  std::string state;
  std::string journal;
  bool died = true;  // false: the schedule ran to its end (the process left after it)
};

// ExploreOptions says which schedules to try.
struct ExploreOptions {
  std::string strategy = "portfolio";  // a name from builtin_strategies() that explores
  int depth = 0;                       // pct: its depth (0: 3); dfs: its preemption bound (0: 2)
  // runs bounds the schedules (a seeded strategy: the seed range [seed_start,
  // seed_start + runs)); 0 means no bound, for a time budget or a dfs search.
  std::uint64_t runs = 10000;
  double seconds = 0;  // wall-clock budget; 0: none
  std::uint64_t seed_start = 1;
  // The shard_index-th of shard_count slices of the search: seeds with
  // (seed - seed_start) % shard_count == shard_index; for dfs see DfsStrategy.
  unsigned shard_index = 0;
  unsigned shard_count = 1;
  bool keep_going = false;  // false: stop at the first failure
  // pct_steps is pct's run-length estimate; 0: measure_pct_steps().
  std::uint64_t pct_steps = 0;
  // next_seed, when set (random, pct), hands out the seeds to run instead
  // of the shard's own sequence; nullopt ends the search. A supervised
  // search's parent holds the counter it draws from, so its workers share
  // one sequence and a worker that replaces a dead one simply goes on.
  std::function<std::optional<std::uint64_t>()> next_seed;
  // proceed, when set, is asked before each seed (dfs: schedule number) and
  // ends the search when it says no: parallel workers stop once another has
  // found a lower failing seed.
  std::function<bool(std::uint64_t seed)> proceed;
  // run is the template of every run (scenario, params, max_steps,
  // stack_size, timeout, observers); explore sets its seed and strategy.
  RunOptions run;
  // on_failure, when set, is called with each failure as it is found, so a
  // process that may die later has already passed it on.
  std::function<void(const ExploreFailure&)> on_failure;
  // on_choice, when set, is called with every decision of every run as it
  // is made, before the program goes on: a worker process keeps them where
  // its parent can read them should the program kill it.
  std::function<void(const Choice&)> on_choice;
  // on_search_state (dfs, dpor), when set, is given before each schedule
  // its number and the search's saved state, and on_journal each record
  // the search learns while the schedule runs: what a SearchResume needs,
  // kept where they outlive the process.
  std::function<void(std::uint64_t number, std::string_view state)> on_search_state;
  SystematicStrategy::Journal on_journal;
  // resume, when set, goes on with a dfs or dpor search after the schedule
  // the process before died in (or left after), numbering on from it.
  std::optional<SearchResume> resume;
  // until_confident, above 0, ends a sampling search once it is confident
  // (is_confident()) that the next schedule is of a trace class seen
  // already. Give runs too: a large program may never get there.
  double until_confident = 0;
  // tally, when set, counts each run's trace class somewhere else (a
  // supervised search's parent counts its workers' together) and returns
  // the estimate after it; explore() counts them itself otherwise.
  std::function<double(std::uint64_t trace_class)> tally;
  // progress, when set, is called after every run with the running totals.
  std::function<void(std::uint64_t runs, std::uint64_t failures)> progress;
  // isolate runs the search in a supervised worker process, so that a
  // schedule that crashes, aborts or spins past run.timeout (10 s when 0)
  // fails the search instead of killing the caller: catch2::explore
  // honours it (<gorewind/catch2.hpp>, gorewind::record). explore() itself
  // runs in the calling process and refuses it.
  bool isolate = false;
};

// ExploreFailure is one failing schedule.
struct ExploreFailure {
  // seed: random and pct, the run's seed (gorewind run --seed replays it);
  // dfs, the schedule's number in the search.
  std::uint64_t seed = 0;
  RunResult result;
  // schedule: the run's decisions; a ScriptedStrategy replays it exactly.
  std::vector<Choice> schedule;
};

// ExploreResult is what a search found.
struct ExploreResult {
  std::string strategy;
  std::uint64_t runs = 0;      // schedules run
  std::uint64_t pct_steps = 0; // pct: the run length its change points were spread over
  bool exhausted = false;      // dfs: every schedule within the bound was run; dpor: every trace
  // classes is how many Mazurkiewicz traces the runs fell in (trace_class.hpp).
  std::uint64_t classes = 0;
  // new_class_probability is the Good-Turing estimate that one more schedule
  // would be of a class not seen yet; none for dfs and dpor, which do not
  // sample.
  std::optional<double> new_class_probability;
  bool confident = false;  // stopped by until_confident
  double seconds = 0;
  std::vector<ExploreFailure> failures;  // in the order found
  bool ok() const { return failures.empty(); }
  // summary() says what was explored and, for the first failure, what
  // happened and how to run that schedule again.
  std::string summary() const;
};

// is_confident() says whether runs schedules whose Good-Turing estimate of
// a new trace class is estimate are enough to stop a search that waits for
// it to fall below p: the estimate is below p, and there are at least 3/p
// runs, as no fewer can bound a probability below p (the rule of three);
// two runs of one class would otherwise estimate 0.
bool is_confident(double p, std::uint64_t runs, double estimate);

// no_failure_line() is what a search without a failure shows, the figure a
// user quotes after a fix: for a sampling strategy the rule of three ("0
// failures in N schedules under S: the failure rate per schedule under S is
// below 3/N with 95% confidence"), for a dpor search that ran every trace
// "complete: no failure in any of N traces".
std::string no_failure_line(const ExploreResult& r);

// explore() runs fn under many schedules. Deterministic: the same options
// give the same runs and failures, whatever the machine's speed (a time
// budget only decides where the search stops).
ExploreResult explore(const std::function<void()>& fn, const ExploreOptions& options = {});

// measure_pct_steps() counts the scheduling decisions of fn's run under
// fifo (with options.run's parameters and limits): the length pct spreads
// its change points over. It depends on the program alone, not on a seed,
// so every worker and shard of a search finds the same, and so does `run
// --strategy pct --seed N`, which gives seed N's schedule of the search.
std::uint64_t measure_pct_steps(const std::function<void()>& fn, const ExploreOptions& options);

// run_search_schedule() runs the n-th schedule (from 1) of an unsharded
// search by a systematic strategy (dfs, dpor; depth: dfs's preemption
// bound, 0 for its default), as explore numbers them: the n-1 before it run
// unobserved, then the n-th with options' observers, through last (run()
// when empty), which gets the options to run with. Throws Error when the
// search has fewer than n schedules.
RunResult run_search_schedule(const std::function<void()>& fn, const RunOptions& options, std::string_view strategy,
                              int depth, std::uint64_t n,
                              const std::function<RunResult(const RunOptions&)>& last = {});

}  // namespace gorewind
