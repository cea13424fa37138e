// bisect.hpp: the decision that turns a passing schedule into a failing one.
//
// A schedule is a list of decisions (Choice). bisect() mixes a failing
// schedule with a passing one: mix k keeps the first k decisions of the
// failing schedule and lets the passing one decide from decision k on. Mix 0
// is the passing schedule, mix n (n: the failing schedule's length) the
// failing one. Somewhere between them a single decision, taken the failing
// way instead of the passing way, turns a pass into the failure: the culprit.
//
// Failure is not monotone in k (a later decision may undo an earlier one's
// harm, or lead to another failure), so a binary search alone proves
// nothing: bisect() verifies its answer on both sides, by running mix k-1
// (it must pass) and mix k (it must fail the same way: same outcome, same
// site) again, and where the search's last pass is not a pass it scans the
// prefixes next to it. Every run is deterministic, so the same inputs give
// the same answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include <gorewind/outcome.hpp>
#include <gorewind/run.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/site.hpp>

namespace gorewind::replay {

// BisectLimits bound a bisection.
struct BisectLimits {
  // max_attempts bounds the runs tried, the two verifying runs included.
  std::uint64_t max_attempts = 200;
  // timeout is each attempt's wall-clock budget in seconds (0: none); an
  // attempt that runs past it ends in Outcome::Timeout, as a supervised run.
  double timeout = 10;
};

// BisectStatus is how a bisection ended.
enum class BisectStatus : std::uint8_t {
  Found,          // a culprit, verified on both sides
  NotFailing,     // the failing schedule, run again, did not fail
  PassingFails,   // the passing schedule, run again (with the failing run's seed), did not pass
  NoPassToFail,   // every mix was tried: none that passes is next to one that fails the same way
  OutOfAttempts,  // max_attempts runs were made before a culprit was verified
};
// to_string() is the status as one word for JSON: "found", "not_failing",
// "passing_fails", "no_pass_to_fail", "out_of_attempts".
std::string_view to_string(BisectStatus s);

// decision_kind() names what a Choice of this kind decided, for reports:
// "goroutine", "select_case", "timer_tie", "lock_handoff".
std::string_view decision_kind(std::uint8_t kind);

// BisectSide is one neighbour of the culprit decision, and what it did there.
struct BisectSide {
  std::size_t prefix = 0;        // decisions of the failing schedule it keeps
  std::vector<Choice> schedule;  // its mix: replays with ScriptedStrategy to this run
  RunResult result;              // how the mix's run ended
  std::uint32_t chosen = 0;      // the option it took at the culprit decision
  // gid and site are those of its first event after the culprit decision
  // (at Bisected::seq): for a goroutine decision, the goroutine it ran
  // there (a Switch event's site is where that goroutine resumes).
  Gid gid = 0;
  Site site;
};

// Bisected is the outcome of a bisection.
struct Bisected {
  BisectStatus status = BisectStatus::OutOfAttempts;
  RunResult failure;  // the failing schedule's run: the failure each mix is compared with
  RunResult passing;  // the passing schedule's run (when it was made)
  std::uint64_t attempts = 0;  // runs made
  // The culprit, when status is Found: the index of the decision in the
  // failing schedule, what it asked (kind and options; chosen: the failing
  // schedule's answer), and the seq of the first event after it, where
  // before's and after's runs first differ.
  std::size_t decision = 0;
  Choice asked;
  std::uint64_t seq = 0;
  BisectSide before;  // mix `decision`: passes
  BisectSide after;   // mix `decision + 1`: fails the same way as failure
};

// mix() is mix k of failing and passing: failing's first k decisions, then
// passing's from index k on. Run with ScriptedStrategy, the passing
// decisions apply as long as the run asks what passing's run asked there
// (the same kind of decision, as many options); from the first one it does
// not, every decision takes option 0 (fifo's choice: the running goroutine
// goes on, else the first in the run queue; the first ready case, timer or
// waiter). An empty passing schedule is fifo's from decision k on.
std::vector<Choice> mix(const std::vector<Choice>& failing, const std::vector<Choice>& passing, std::size_t k);

// bisect() finds a culprit decision of failing against passing, for fn run
// with options (the scenario's seed, params and race mode; its strategy and
// observers are replaced). It runs mix n first (the failure: NotFailing
// when it passes) and mix 0 (PassingFails when it does not pass, or when
// failing has no decision: then mix 0 is the same run as mix n), then
// binary-searches k between them for a mix k that fails as mix n does next
// to a mix k-1 that passes, and verifies that pair by running both again,
// watching the culprit decision. Where the search's pair is not a pass
// next to the same failure (mix k-1 fails another way), it tries the pairs
// around it, nearest first, until one verifies, every mix has been tried
// (NoPassToFail) or max_attempts runs have been made (OutOfAttempts).
//
// Every attempt runs in a supervised child process (record::ChildProcess),
// so a mix that crashes or spins is an attempt that ended that way. The
// caller must not hold a thread or a database connection (fork).
Bisected bisect(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& failing,
                const std::vector<Choice>& passing, const BisectLimits& limits = {});

}  // namespace gorewind::replay
