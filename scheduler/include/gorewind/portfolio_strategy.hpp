// portfolio_strategy.hpp
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <gorewind/observer.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// PortfolioStrategy interleaves strategies within one search, as Coyote's
// portfolio does: seed N is run by member N mod k, with seed N. No one
// strategy finds every kind of bug first (pct the bugs that need a goroutine
// held back at a few points, pos those hidden behind private work, surw
// those a uniform walk over interleavings reaches), so a search that gives
// each a share finds each kind nearly as soon as the best member would, k
// times over at worst. Everything comes from the seed: `run --strategy
// portfolio --seed N` is explore's seed N.
class PortfolioStrategy final : public Strategy {
 public:
  explicit PortfolioStrategy(std::vector<std::unique_ptr<Strategy>> members);
  std::string_view name() const override { return "portfolio"; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override { return active_->pick_goroutine(options); }
  std::size_t pick(Decision kind, std::size_t n) override { return active_->pick(kind, n); }
  bool keeps_running() const override { return active_->keeps_running(); }
  Observer* watcher() override { return &forward_; }
  Observer* profiler() override;
  // active() is the member that runs the current seed.
  const Strategy& active() const { return *active_; }

 private:
  // Forward passes the run's events to the active member's watcher: the
  // scheduler asks for the watcher before begin_run() says who is active.
  class Forward final : public Observer {
   public:
    explicit Forward(PortfolioStrategy& p) : p_(p) {}
    void on_run_begin(const RunInfo& info) override;
    void on_event(const Event& e) override;
    void on_run_end(const RunResult& r) override;

   private:
    PortfolioStrategy& p_;
  };

  std::vector<std::unique_ptr<Strategy>> members_;
  Strategy* active_;
  Observer* watching_ = nullptr;  // active_'s watcher, if it has one
  Forward forward_{*this};
};

}  // namespace gorewind
