#include <gorewind/replay/replay_run.hpp>

#include <algorithm>
#include <string>

#include <gorewind/replay/replay_error.hpp>
#include <gorewind/schedule_script.hpp>

namespace gorewind::replay {
namespace {

// Reseeded gives the live strategy of a tolerant replay a seed of its own
// while the run keeps the recorded seed (which gr::rand draws from).
class Reseeded final : public Strategy {
 public:
  Reseeded(std::shared_ptr<Strategy> inner, std::uint64_t seed) : inner_(std::move(inner)), seed_(seed) {}
  std::string_view name() const override { return inner_->name(); }
  void begin_run(std::uint64_t) override { inner_->begin_run(seed_); }
  std::size_t pick_goroutine(const Runnable& options) override { return inner_->pick_goroutine(options); }
  std::size_t pick(Decision kind, std::size_t n) override { return inner_->pick(kind, n); }

 private:
  std::shared_ptr<Strategy> inner_;
  std::uint64_t seed_;
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

RunOptions replay_options(const storage::RunRow& run, std::shared_ptr<Strategy> strategy, bool tolerant) {
  RunOptions ro;
  ro.seed = run.seed;
  ro.strategy = std::move(strategy);
  ro.scenario = run.scenario;
  ro.params = run.params;
  ro.races = run.race_mode;
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

  std::shared_ptr<Strategy> then = options.then;
  if (then && options.then_seed) then = std::make_shared<Reseeded>(then, *options.then_seed);
  auto scripted = std::make_shared<ScriptedStrategy>(std::move(*schedule), then,
                                                     then ? "replay+" + std::string(then->name()) : "replay");
  EventChecker checker(log, run);
  RunOptions ro = replay_options(out.recorded, scripted, then != nullptr);
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
