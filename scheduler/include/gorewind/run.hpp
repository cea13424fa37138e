// run.hpp: running a program on the deterministic scheduler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/observer.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/race.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// RunOptions configures one run.
struct RunOptions {
  // seed drives the strategy (and later the user's gr::rand()).
  std::uint64_t seed = 1;
  // strategy decides; null means a RandomStrategy.
  std::shared_ptr<Strategy> strategy;
  // observers see every event, in this order. Not owned.
  std::vector<Observer*> observers;
  // stack_size is each goroutine's stack in bytes, rounded up to pages.
  std::size_t stack_size = 256 * 1024;
  // scenario names the program for observers and reports.
  std::string scenario;
  // params are the program's parameters (gr::param).
  std::map<std::string, std::string> params;
  // max_steps bounds the run's events (a step is one event, numbered by its
  // seq); 0 means no bound. At the first scheduling point (or pick by the
  // hub) once the run has made max_steps events, it ends with
  // Outcome::StepLimit, naming the goroutine there: a livelock, or a budget.
  std::uint64_t max_steps = 0;
  // drain_steps bounds the drain after main returns, which checks for leaks
  // as goleak does in a Go test: the other goroutines go on (timers fire)
  // until each has exited or blocked forever, for at most drain_steps more
  // events (and within max_steps). Those blocked are the leak; any still
  // going when the drain's budget is spent are reported as still running.
  // 0: no drain, as a Go program exits when main returns: the goroutines
  // blocked forever then are the leak, the rest are not run again.
  std::uint64_t drain_steps = 10000;
  // timeout bounds the run's wall-clock time in seconds; 0 means no bound.
  // Once it has passed, the run ends with Outcome::Timeout at the next
  // scheduling point; a goroutine that reaches none (a loop without a
  // runtime call) is stopped where it stands and abandoned (its stack is
  // never unwound). Uses a per-thread POSIX timer delivering SIGALRM.
  double timeout = 0;
  // races is what the race detector does (race.hpp). It starts at the first
  // gr::shared cell the run creates, so a run without one pays (almost)
  // nothing for it.
  RaceMode races = RaceMode::First;
  // procs, above 0, runs the program on Go's scheduler with GOMAXPROCS=procs
  // (docs/gmp.md): a goroutine runs until it blocks or yields, a spawned or
  // woken goroutine takes its P's runnext slot, and which goroutine runs next
  // follows Go's run queues, not the strategy (which still picks select
  // cases, timer ties and lock handoffs, and which of several Ps at the
  // same virtual time acts first). 0: gorewind's own model, where the
  // strategy may switch goroutines at every scheduling point. At most
  // kMaxProcs.
  unsigned procs = 0;
  // cpu_cost_ns is the virtual CPU time each event costs its P under Go's
  // scheduler (procs > 0), as gr::work() costs what it is told.
  std::int64_t cpu_cost_ns = 0;
};

// kMaxProcs bounds RunOptions::procs.
inline constexpr unsigned kMaxProcs = 256;

// stack_guard_mode() is how goroutine stacks are guarded in this process, so
// that an overflow ends the run with a "stack overflow" panic:
// "madvise-guard" (MADV_GUARD_INSTALL, Linux 6.13+: every stack), "mprotect"
// (older kernels: the first 30,000 stacks alive at once; beyond, unguarded)
// or "none" (overflows go undetected; also GOREWIND_STACK_GUARD=none).
std::string_view stack_guard_mode();

// run() runs fn as the main goroutine until the run ends and reports how.
// Runs are independent and deterministic: the same fn, options and seed give
// the same events. One run at a time per thread; throws Error when nested,
// and rethrows an Error that escaped a goroutine (bad input, misuse) once the
// run is torn down.
RunResult run(const std::function<void()>& fn, const RunOptions& options = {});

}  // namespace gorewind
