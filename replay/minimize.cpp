#include <gorewind/replay/minimize.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include <gorewind/record/child_process.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/record/shared_schedule.hpp>

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

// Measuring runs a script and puts on the tape what ScheduleFigures count
// and every answer it gives (the schedule the run really made, which may
// differ from the script past the point where the script stopped applying).
class Measuring final : public Strategy, public Observer {
 public:
  Measuring(std::vector<Choice> script, Tape& tape) : script_(std::move(script)), tape_(tape) {}
  std::string_view name() const override { return script_.name(); }
  void begin_run(std::uint64_t seed) override { script_.begin_run(seed); }
  std::size_t pick_goroutine(const Runnable& options) override {
    const std::size_t i = script_.pick_goroutine(options);
    tape_.end->preemptions += options.current() != 0 && i != 0;
    tape_.schedule.add({Choice::kGoroutine, static_cast<std::uint32_t>(options.size()), static_cast<std::uint32_t>(i)});
    return i;
  }
  std::size_t pick(Decision kind, std::size_t n) override {
    const std::size_t i = script_.pick(kind, n);
    tape_.schedule.add({Choice::kind_of(kind), static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(i)});
    return i;
  }
  void on_event(const Event& e) override {
    tape_.end->switches += e.kind == EventKind::Switch;
    tape_.end->events = e.seq;
  }

 private:
  ScriptedStrategy script_;
  Tape& tape_;
};

struct Trial {
  RunResult result;
  std::vector<Choice> schedule;
  ScheduleFigures figures;
  bool whole = true;  // false: the tape overflowed, the schedule is cut short
};

// attempt() runs fn under script in a supervised child.
Trial attempt(const std::function<void()>& fn, const RunOptions& options, std::vector<Choice> script,
              Tape& tape, double timeout) {
  tape.schedule.clear();
  tape.end.reset();
  record::ChildProcess child(
      [&] {
        RunOptions o = options;
        auto m = std::make_shared<Measuring>(std::move(script), tape);
        o.strategy = m;
        o.observers = {m.get()};
        tape.end->finish(run(fn, o));
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

bool same_failure(const RunResult& a, const RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
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
  bool improved = true;
  while (improved && out.attempts < limits.max_attempts) {
    improved = false;
    for (std::size_t i = best.schedule.size(); i-- > 0 && out.attempts < limits.max_attempts;) {
      if (i >= best.schedule.size() || best.schedule[i].chosen == 0) continue;
      std::vector<Choice> candidate = best.schedule;
      candidate[i].chosen = 0;
      Trial t = attempt(fn, options, std::move(candidate), tape, limits.timeout);
      ++out.attempts;
      if (t.whole && same_failure(t.result, best.result) && t.figures.no_worse_than(best.figures) &&
          !(t.figures == best.figures && t.schedule == best.schedule)) {
        best = std::move(t);
        improved = true;
      }
    }
  }
  out.schedule = std::move(best.schedule);
  out.result = std::move(best.result);
  out.after = best.figures;
  return out;
}

}  // namespace gorewind::replay
