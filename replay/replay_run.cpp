#include <gorewind/replay/replay_run.hpp>

#include <algorithm>
#include <string>

#include <gorewind/replay/replay_error.hpp>
#include <gorewind/schedule_script.hpp>

namespace gorewind::replay {
namespace {

// Tolerant is a tolerant replay's strategy: the recorded decisions while
// they apply, then's from there. then is asked at every decision, its
// answer unused while the script applies, so that where the script stops
// applying it stands where it would stand in a run of its own (a random
// strategy's generator has drawn once per decision): from there the run
// goes on as `run --strategy S --seed N` would in that state.
class Tolerant final : public Strategy {
 public:
  Tolerant(std::shared_ptr<ScriptedStrategy> script, std::shared_ptr<Strategy> then)
      : script_(std::move(script)), then_(std::move(then)), name_("replay+" + std::string(then_->name())) {}
  std::string_view name() const override { return name_; }
  void begin_run(std::uint64_t seed) override {
    script_->begin_run(seed);
    then_->begin_run(seed);
  }
  std::size_t pick_goroutine(const Runnable& options) override {
    const std::size_t recorded = script_->pick_goroutine(options);
    const std::size_t live = then_->pick_goroutine(options);
    return script_->diverged() ? live : recorded;
  }
  std::size_t pick(Decision kind, std::size_t n) override {
    const std::size_t recorded = script_->pick(kind, n);
    const std::size_t live = then_->pick(kind, n);
    return script_->diverged() ? live : recorded;
  }

 private:
  std::shared_ptr<ScriptedStrategy> script_;
  std::shared_ptr<Strategy> then_;
  std::string name_;
};

// step_bound() keeps a diverged re-execution from running forever. A run
// recorded as step_limit ended at its bound, which lies at its last event;
// any other run gets room to go on well past its recording, which is then
// reported as a divergence.
std::uint64_t step_bound(const storage::RunRow& row, bool tolerant) {
  if (row.outcome == "step_limit") return std::max<std::uint64_t>(row.events, 1);
  if (tolerant) return row.events + 1000000;
  return row.events + std::max<std::uint64_t>(row.events, 10000);
}

}  // namespace

RunOptions recorded_options(const storage::RunRow& run) {
  RunOptions ro;
  ro.seed = run.seed;
  ro.scenario = run.scenario;
  ro.params = run.params;
  ro.races = run.race_mode;
  ro.procs = run.procs;
  ro.cpu_cost_ns = run.cpu_cost_ns;
  return ro;
}

RunOptions replay_options(const storage::RunRow& run, std::shared_ptr<Strategy> strategy, bool tolerant) {
  RunOptions ro = recorded_options(run);
  ro.strategy = std::move(strategy);
  ro.max_steps = step_bound(run, tolerant);
  return ro;
}

ReplayResult replay_run(const std::function<void()>& fn, storage::EventLogReader& log, std::int64_t run,
                        const ReplayOptions& options) {
  ReplayResult out;
  out.recorded = log.run(run);
  const std::string which = "run " + std::to_string(run);
  if (out.recorded.state != storage::RunState::Complete)
    throw ReplayError(which + " is " + std::string(to_string(out.recorded.state)) + ": only a complete run replays");
  std::optional<std::vector<Choice>> schedule = log.schedule(run);
  if (!schedule)
    throw ReplayError(which + " has no recorded schedule (recorded before schema 2, or without record_run)");
  out.decisions = schedule->size();

  auto scripted = std::make_shared<ScriptedStrategy>(std::move(*schedule));
  std::shared_ptr<Strategy> strategy = scripted;
  if (options.then) strategy = std::make_shared<Tolerant>(scripted, options.then);
  EventChecker checker(log, run);
  RunOptions ro = replay_options(out.recorded, strategy, options.then != nullptr);
  if (options.seed) ro.seed = *options.seed;
  ro.observers.push_back(&checker);
  ro.observers.insert(ro.observers.end(), options.observers.begin(), options.observers.end());
  out.result = options.runner ? options.runner(fn, ro) : gorewind::run(fn, ro);
  checker.rethrow_error();
  out.divergence = checker.divergence();
  out.script_left = scripted->diverged();
  out.script_left_at = scripted->diverged_at();
  return out;
}

}  // namespace gorewind::replay
