#include <gorewind/replay/minimize.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include <gorewind/record/child_process.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/record/shared_schedule.hpp>
#include <gorewind/dfs_strategy.hpp>

namespace gorewind::replay {

namespace {

// AttemptEnd is what an attempt's child publishes besides its decisions:
// the figures so far, and how the run ended once it returns.
struct AttemptEnd {
  static constexpr std::size_t kTextSize = 512;
  std::uint64_t preemptions;
  std::uint64_t switches;
  std::uint64_t events;
  std::atomic<bool> finished;
  Outcome outcome;
  std::uint32_t line;
  char file[kTextSize];
  char function[kTextSize];

  void finish(const RunResult& r) {
    outcome = r.outcome;
    line = r.site.line;
    copy(file, r.site.file);
    copy(function, r.site.function);
    finished.store(true, std::memory_order_release);
  }
  RunResult result() const {
    RunResult r;
    r.outcome = outcome;
    r.site = Site{file, line, function};
    r.events = events;
    return r;
  }
  static void copy(char (&to)[kTextSize], const std::string& from) {
    const std::size_t n = std::min(from.size(), kTextSize - 1);
    std::memcpy(to, from.data(), n);
    to[n] = '\0';
  }
};

// Tape is where an attempt's child puts what this process needs of it.
struct Tape {
  explicit Tape(std::size_t capacity) : schedule(capacity) {}
  record::SharedSchedule schedule;
  record::Shared<AttemptEnd> end;
};

// Measuring runs a strategy (a script, or a dfs search's schedule) and puts
// on the tape what ScheduleFigures count and every answer it gives (the
// schedule the run really made, which may differ from a script past the
// point where the script stopped applying).
class Measuring final : public Strategy, public Observer {
 public:
  Measuring(Strategy& inner, Tape& tape) : inner_(inner), tape_(tape) {}
  std::string_view name() const override { return inner_.name(); }
  void begin_run(std::uint64_t seed) override { inner_.begin_run(seed); }
  std::size_t pick_goroutine(const Runnable& options) override {
    const std::size_t i = inner_.pick_goroutine(options);
    tape_.end->preemptions += options.current() != 0 && i != 0;
    tape_.schedule.add({Choice::kGoroutine, static_cast<std::uint32_t>(options.size()), static_cast<std::uint32_t>(i)});
    return i;
  }
  std::size_t pick(Decision kind, std::size_t n) override {
    const std::size_t i = inner_.pick(kind, n);
    tape_.schedule.add({Choice::kind_of(kind), static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(i)});
    return i;
  }
  void on_event(const Event& e) override {
    tape_.end->switches += e.kind == EventKind::Switch;
    tape_.end->events = e.seq;
  }

 private:
  Strategy& inner_;
  Tape& tape_;
};

struct Trial {
  RunResult result;
  std::vector<Choice> schedule;
  ScheduleFigures figures;
  bool whole = true;  // false: the tape overflowed, the schedule is cut short
};

// measure() runs fn once under strategy with the tape recording it.
RunResult measure(const std::function<void()>& fn, const RunOptions& options, Strategy& strategy, Tape& tape) {
  tape.schedule.clear();
  tape.end.reset();
  RunOptions o = options;
  auto m = std::make_shared<Measuring>(strategy, tape);
  o.strategy = m;
  o.observers = {m.get()};
  return run(fn, o);
}

// supervised() runs body in a supervised child that publishes on the tape
// the run it settled on, and reads that run back.
Trial supervised(const std::function<void()>& body, Tape& tape, double timeout) {
  tape.schedule.clear();
  tape.end.reset();
  record::ChildProcess child(
      [&] {
        body();
        return 0;
      },
      record::ChildProcess::Config::timed(timeout));
  const record::ChildEnd end = child.wait();
  Trial t;
  if (end.returned() && tape.end->finished.load(std::memory_order_acquire)) {
    t.result = tape.end->result();
  } else if (end.returned()) {
    t.result.outcome = Outcome::Exited;  // the attempt's body failed: matches no recorded failure
    t.result.fault.exit_status = end.code;
  } else {
    t.result = record::fault_result(end);
  }
  t.schedule = tape.schedule.choices();
  t.figures = {tape.end->preemptions, tape.end->switches, tape.end->events};
  t.whole = !tape.schedule.overflowed();
  return t;
}

// attempt() runs fn under script in a supervised child.
Trial attempt(const std::function<void()>& fn, const RunOptions& options, std::vector<Choice> script,
              Tape& tape, double timeout) {
  return supervised(
      [&] {
        ScriptedStrategy scripted(std::move(script));
        tape.end->finish(measure(fn, options, scripted, tape));
      },
      tape, timeout);
}

bool same_failure(const RunResult& a, const RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
}

// search_dfs() looks for the failure among the first `runs` schedules of a
// dfs search with this preemption bound, in one supervised child; the first
// that fails the same way is the trial (a passing one when none does: the
// child then publishes the last schedule it ran).
Trial search_dfs(const std::function<void()>& fn, const RunOptions& options, int bound, std::uint64_t runs,
                 const RunResult& failure, Tape& tape, double timeout) {
  return supervised(
      [&] {
        DfsStrategy dfs(bound);
        RunResult r;
        for (std::uint64_t k = 1; k <= runs; ++k) {
          RunOptions o = options;
          o.seed = k;
          r = measure(fn, o, dfs, tape);
          if (same_failure(r, failure) || !dfs.advance()) break;
        }
        tape.end->finish(r);
      },
      tape, runs * timeout);
}

}  // namespace

Minimized minimize(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& schedule,
                   const MinimizeLimits& limits) {
  // Room for every decision of a candidate as long as the original and
  // then some: past the script, a candidate may run longer than it.
  Tape tape(2 * schedule.size() + (1u << 20));
  Trial best = attempt(fn, options, schedule, tape, limits.timeout);
  Minimized out;
  out.attempts = 1;
  out.before = best.figures;
  // A candidate is kept when it fails the same way with fewer preemptions,
  // or as many and no figure larger.
  const auto better = [&](const Trial& t) {
    if (!t.whole || !same_failure(t.result, best.result)) return false;
    if (t.figures.preemptions != best.figures.preemptions) return t.figures.preemptions < best.figures.preemptions;
    return t.figures.no_worse_than(best.figures) && !(t.figures == best.figures && t.schedule == best.schedule);
  };

  // Delta debugging (Zeller and Hildebrandt, 2002) over the decisions that
  // did not take option 0: reset a part of them at once, in halves, then
  // quarters, ..., down to one at a time; a kept candidate starts the
  // partition again from the coarsest size that still splits it. It ends
  // when no single decision can be reset: the result is 1-minimal.
  const auto reduce = [&] {
    std::size_t parts = 2;
    while (out.attempts < limits.max_attempts) {
      std::vector<std::size_t> chosen;
      for (std::size_t i = 0; i < best.schedule.size(); ++i)
        if (best.schedule[i].chosen != 0) chosen.push_back(i);
      if (chosen.empty()) return true;
      parts = std::min(parts, chosen.size());
      std::size_t tried = 0;
      bool kept = false;
      for (; tried < parts && out.attempts < limits.max_attempts && !kept; ++tried) {
        std::vector<Choice> candidate = best.schedule;
        for (std::size_t k = tried * chosen.size() / parts; k < (tried + 1) * chosen.size() / parts; ++k)
          candidate[chosen[k]].chosen = 0;
        Trial t = attempt(fn, options, std::move(candidate), tape, limits.timeout);
        ++out.attempts;
        if (better(t)) {
          best = std::move(t);
          kept = true;
        }
      }
      if (kept) {
        parts = std::max<std::size_t>(parts - 1, 2);
      } else if (tried < parts) {
        return false;  // out of attempts
      } else if (parts == chosen.size()) {
        return true;
      } else {
        parts = std::min(parts * 2, chosen.size());
      }
    }
    return false;
  };
  out.one_minimal = reduce();

  // A schedule built differently may need fewer preemptions still: dfs
  // searches bounded below what is left look for the failure with the
  // fewest, and what they find is reduced in turn.
  for (int bound = 0; static_cast<std::uint64_t>(bound) < best.figures.preemptions && bound <= kDfsMaxBound;
       ++bound) {
    Trial t = search_dfs(fn, options, bound, limits.dfs_runs, best.result, tape, limits.timeout);
    ++out.dfs_searches;
    if (better(t)) {
      best = std::move(t);
      out.from_dfs = true;
      out.one_minimal = reduce();
      break;
    }
  }
  out.schedule = std::move(best.schedule);
  out.result = std::move(best.result);
  out.after = best.figures;
  return out;
}

}  // namespace gorewind::replay
