// strategy.hpp: the decision-maker. The Scheduler runs goroutines; a Strategy
// only decides, at each point where the run could go more than one way, which
// way it goes.
//
// Calling protocol: begin_run() once per run, then any sequence of
// pick_goroutine() and pick() calls, each with at least two options (a decision
// with one option is never asked and consumes no randomness). A strategy must
// return the same answers for the same seed and the same sequence of calls:
// that is what makes runs reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <gorewind/event.hpp>

namespace gorewind {

class Observer;

// Access is what a goroutine will do next, as far as it is known when the
// strategy is asked: the object of the operation it is about to make and
// whether that operation changes the object. Strategies that tell racing
// operations apart (pos, surw) read it; the others ignore it.
struct Access {
  ObjKind kind = ObjKind::None;  // None: not known (a goroutine new or just woken, a sleep)
  std::uint32_t obj = 0;         // 0 with kind Chan: a select, on any of its channels
  bool write = true;             // false: a shared cell's load, a read lock
};

// races() says whether a and b may not commute: the same object, known on
// both sides, and at least one of them a write.
bool races(const Access& a, const Access& b);

// Runnable lists the goroutines that could run next, in a fixed order: the
// goroutine that is running now (when it could go on) first, then the run
// queue in the order goroutines became runnable.
class Runnable {
 public:
  // next holds each goroutine's coming Access, by gid (empty: none known).
  Runnable(Gid current, std::span<const Gid> queue, std::span<const Access> next = {})
      : current_(current), queue_(queue), next_(next) {}
  std::size_t size() const { return queue_.size() + (current_ != 0); }
  Gid operator[](std::size_t i) const {
    if (current_ != 0) return i == 0 ? current_ : queue_[i - 1];
    return queue_[i];
  }
  // current() is the running goroutine when it is option 0, else 0.
  Gid current() const { return current_; }
  // access() is what option i will do next.
  Access access(std::size_t i) const {
    const Gid g = (*this)[i];
    return g < next_.size() ? next_[g] : Access{};
  }

 private:
  Gid current_;
  std::span<const Gid> queue_;
  std::span<const Access> next_;
};

// Decision names the choices other than which goroutine runs.
enum class Decision : std::uint8_t {
  SelectCase,  // which of several ready select cases fires (options in call order)
  TimerTie,    // which of several timers due at the same instant fires first
  LockHandoff, // which of several goroutines waiting for a released mutex is woken
  ProcTie,     // under Go's scheduler, which of several Ps at the earliest clock acts next
  StealVictim, // under Go's scheduler, which P an idle P steals from
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // name() is the name the CLI and the log use ("random", "fifo").
  virtual std::string_view name() const = 0;
  // begin_run() resets the strategy for a run with this seed.
  virtual void begin_run(std::uint64_t seed) = 0;
  // pick_goroutine() returns the index in options of the goroutine to run next.
  virtual std::size_t pick_goroutine(const Runnable& options) = 0;
  // pick() returns an index in [0, n), n >= 2, for any other decision.
  virtual std::size_t pick(Decision kind, std::size_t n) = 0;
  // keeps_running() says that pick_goroutine() answers 0 whenever the running
  // goroutine is an option (the strategy never preempts): the scheduler then
  // does not ask at those points, a call saved per channel operation. Asked
  // once per run, after begin_run().
  virtual bool keeps_running() const { return false; }
  // watcher() is an observer the run adds for this strategy, for a strategy
  // that steers by what the run has done so far (surw); nullptr: none.
  virtual Observer* watcher() { return nullptr; }
  // profiler() asks for one run of the program before this strategy's
  // first: run() makes it under fifo, with the same options, observed by
  // the profiler alone (surw counts each goroutine's operations there).
  // nullptr: nothing to learn, or learned already.
  virtual Observer* profiler() { return nullptr; }
  // max_procs() is the most Ps (RunOptions::procs) the strategy can steer;
  // a run with more is refused.
  virtual unsigned max_procs() const { return std::numeric_limits<unsigned>::max(); }
};

// procs_refusal() says why s refuses a run on procs Ps (more than
// max_procs()), naming s; empty when it does not.
std::string procs_refusal(const Strategy& s, unsigned procs);

// SystematicStrategy enumerates a program's schedules instead of sampling
// them (dfs, dpor): it ignores the seed, and after each run advance() moves
// it to the next schedule of its search.
class SystematicStrategy : public Strategy {
 public:
  // advance() moves to the next schedule after a run; false once the
  // search is exhausted.
  virtual bool advance() = 0;
  // counts() says, after a run and before advance(), whether that run was a
  // schedule of this search (a shard's slice, see DfsStrategy).
  virtual bool counts() const { return true; }

  // A search outlives a run that kills its process. Between runs (before
  // begin_run()) save() appends the search's state to out; during a run the
  // strategy hands each thing it learns from the run to the journal, as it
  // learns it, one self-contained record at a time. Another process resumes
  // the search with a strategy of the same config: load() the state, then
  // replay() the records the dead run had written, and advance() goes on
  // past that run as if it had ended there.
  using Journal = std::function<void(std::string_view record)>;
  virtual void save(std::string& out) const = 0;
  // load() restores a state save() wrote; throws Error for bytes it did not.
  virtual void load(std::string_view state) = 0;
  // journal_to() sets where the records go (empty: nowhere).
  void journal_to(Journal journal) { journal_ = std::move(journal); }
  // replay() makes the run the journal's records describe, the records
  // before a death (died: the process died after the last one, which ends
  // the run as a crash of the goroutine running then does) or of a whole run.
  virtual void replay(std::string_view journal, bool died) = 0;

 protected:
  // journaling() says whether records go anywhere, so that a search without
  // a journal does not build them.
  bool journaling() const { return static_cast<bool>(journal_); }
  // note() passes a record to the journal.
  void note(std::string_view record) const { journal_(record); }

 private:
  Journal journal_;
};

// StrategyConfig is the settings of the built-in strategies that take any;
// the others ignore it.
struct StrategyConfig {
  int depth = 0;                // pct: its depth; dfs: its preemption bound; 0: the strategy's default
  std::uint64_t pct_steps = 0;  // pct: the run length its change points are spread over; 0: its default
  unsigned shard_index = 0;     // dfs: the slice of the search tree, of shard_count (see DfsStrategy)
  unsigned shard_count = 1;
};

// StrategyInfo describes a built-in strategy, for the CLI's help and checks,
// and makes it.
struct StrategyInfo {
  std::string_view name;
  std::string_view about;  // a few words for --help
  bool explores;           // explore can search with it (fifo has one schedule only)
  bool measures_run_length;  // see measures_run_length()
  bool systematic;           // a SystematicStrategy: schedules are numbered in the search, not seeded
  std::unique_ptr<Strategy> (*make)(const StrategyConfig&);
};

// builtin_strategies() lists the built-in strategies: the one list the
// CLI's help, its checks and make_strategy() follow.
std::span<const StrategyInfo> builtin_strategies();

// strategy_names() is "random, pct, ... or dfs": the built-in strategies
// (those explore can search with, when exploring), for help and errors.
std::string strategy_names(bool exploring);

// is_strategy() says whether name is a built-in strategy (one explore can
// search with, when exploring).
bool is_strategy(std::string_view name, bool exploring);

// is_systematic() says whether the strategy of this name is a
// SystematicStrategy (dfs, dpor): its schedules are numbered from 1 in the
// search, and a number is no seed for `run`.
bool is_systematic(std::string_view name);

// measures_run_length() says whether the strategy of this name spreads pct's
// change points over the run's length, which a search measures first
// (measure_pct_steps()) and passes as StrategyConfig::pct_steps: pct, and the
// portfolio that holds it.
bool measures_run_length(std::string_view name);

// make_strategy() returns the built-in strategy of this name with config:
// the one place that turns a strategy's name into a strategy, for the CLI,
// explore and tests alike. Throws gorewind::Error for an unknown name.
std::unique_ptr<Strategy> make_strategy(std::string_view name, const StrategyConfig& config = {});

}  // namespace gorewind
