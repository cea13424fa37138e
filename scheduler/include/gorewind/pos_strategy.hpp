// pos_strategy.hpp
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/prng.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// PosStrategy is partial order sampling (Yuan, Yang, Gu: "Partial Order
// Aware Concurrency Sampling", CAV 2018). Each goroutine's coming operation
// has a random priority and the highest runs. The operation that ran gets a
// fresh priority for its goroutine's next one, and so does every waiting
// operation that races with it (same object, one of them a write, see
// races()); the others keep theirs. A random walk gives a partial order
// that many interleavings share as little weight as one that few share;
// redrawing only the racing priorities gives each partial order a fairer
// share. Select cases, timer ties and lock hand-offs are drawn uniformly.
// Everything comes from the seed.
class PosStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "pos"; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;

 private:
  std::uint64_t& priority(Gid g);
  Prng rng_;
  std::vector<std::uint64_t> priorities_;  // by gid; 0: not drawn yet
};

}  // namespace gorewind
