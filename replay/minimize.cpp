#include <gorewind/replay/minimize.hpp>

#include <memory>

namespace gorewind::replay {

namespace {

// Measuring runs a script and counts what ScheduleFigures count: it asks
// the script, notes whether the answer preempted, and keeps every answer
// (the schedule the run really made, which may differ from the script past
// the point where the script stopped applying).
class Measuring final : public Strategy, public Observer {
 public:
  explicit Measuring(std::vector<Choice> script) : script_(std::move(script)) {}
  std::string_view name() const override { return script_.name(); }
  void begin_run(std::uint64_t seed) override {
    script_.begin_run(seed);
    made_.clear();
    figures_ = {};
  }
  std::size_t pick_goroutine(const Runnable& options) override {
    const std::size_t i = script_.pick_goroutine(options);
    if (options.current() != 0 && i != 0) ++figures_.preemptions;
    made_.push_back({Choice::kGoroutine, static_cast<std::uint32_t>(options.size()), static_cast<std::uint32_t>(i)});
    return i;
  }
  std::size_t pick(Decision kind, std::size_t n) override {
    const std::size_t i = script_.pick(kind, n);
    made_.push_back({Choice::kind_of(kind), static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(i)});
    return i;
  }
  void on_event(const Event& e) override {
    figures_.switches += e.kind == EventKind::Switch;
    figures_.events = e.seq;
  }
  const std::vector<Choice>& made() const { return made_; }
  const ScheduleFigures& figures() const { return figures_; }

 private:
  ScriptedStrategy script_;
  std::vector<Choice> made_;
  ScheduleFigures figures_;
};

struct Trial {
  RunResult result;
  std::vector<Choice> schedule;
  ScheduleFigures figures;
};

Trial attempt(const std::function<void()>& fn, RunOptions options, std::vector<Choice> script) {
  auto m = std::make_shared<Measuring>(std::move(script));
  options.strategy = m;
  options.observers = {m.get()};
  Trial t;
  t.result = run(fn, options);
  t.schedule = m->made();
  t.figures = m->figures();
  return t;
}

bool same_failure(const RunResult& a, const RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
}

}  // namespace

Minimized minimize(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& schedule,
                   std::uint64_t max_attempts) {
  Trial best = attempt(fn, options, schedule);
  Minimized out;
  out.attempts = 1;
  out.before = best.figures;
  bool improved = true;
  while (improved && out.attempts < max_attempts) {
    improved = false;
    for (std::size_t i = best.schedule.size(); i-- > 0 && out.attempts < max_attempts;) {
      if (i >= best.schedule.size() || best.schedule[i].chosen == 0) continue;
      std::vector<Choice> candidate = best.schedule;
      candidate[i].chosen = 0;
      Trial t = attempt(fn, options, std::move(candidate));
      ++out.attempts;
      if (same_failure(t.result, best.result) && t.figures.no_worse_than(best.figures) &&
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
