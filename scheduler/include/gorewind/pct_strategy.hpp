// pct_strategy.hpp
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/prng.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// PctStrategy is probabilistic concurrency testing (Burckhardt, Kothari,
// Musuvathi, Nagarakatte: "A Randomized Scheduler with Probabilistic
// Guarantees of Finding Bugs", ASPLOS 2010). Each goroutine gets a random
// priority when first seen and the highest-priority runnable one always
// runs; at depth-1 change points, drawn uniformly over the first `steps`
// scheduling decisions, the running goroutine drops below every other. A bug
// that needs d ordering constraints among n goroutines is found with
// probability at least 1/(n * steps^(d-1)) per run. Select cases, timer ties
// and lock hand-offs are drawn uniformly. Everything comes from the seed.
class PctStrategy final : public Strategy {
 public:
  static constexpr int kDefaultDepth = 3;
  static constexpr std::uint64_t kDefaultSteps = 1000;
  // depth >= 1; steps estimates the scheduling decisions of a run (explore
  // measures it), over which the change points are spread.
  explicit PctStrategy(int depth = kDefaultDepth, std::uint64_t steps = kDefaultSteps);
  std::string_view name() const override { return "pct"; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;
  int depth() const { return depth_; }
  std::uint64_t steps() const { return steps_; }

 private:
  std::uint64_t priority(Gid g);
  // slot() is g's place in priorities_, made on first use.
  std::uint64_t& slot(Gid g);
  int depth_;
  std::uint64_t steps_;
  Prng rng_;
  // priorities_[g] is g's priority, 0 until drawn (a priority is at least
  // 1). A vector that keeps its storage from run to run, as explore's short
  // runs would otherwise allocate a node for every goroutine of every run.
  std::vector<std::uint64_t> priorities_;
  std::vector<std::uint64_t> change_points_;  // ascending step numbers
  std::size_t next_change_ = 0;
  std::uint64_t step_ = 0;
  Gid last_ = 0;  // the goroutine picked last
};

}  // namespace gorewind
