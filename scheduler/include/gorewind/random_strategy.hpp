// random_strategy.hpp
#pragma once

#include <gorewind/prng.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// RandomStrategy picks uniformly among the options at every decision, from a
// Prng seeded with the run's seed. It finds most shallow ordering bugs within
// a few hundred seeds, and every choice it makes is replayable from the seed.
class RandomStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "random"; }
  void begin_run(std::uint64_t seed) override { rng_ = Prng(seed); }
  std::size_t pick_goroutine(const Runnable& options) override { return rng_.below(options.size()); }
  std::size_t pick(Decision, std::size_t n) override { return rng_.below(n); }

 private:
  Prng rng_;
};

}  // namespace gorewind
