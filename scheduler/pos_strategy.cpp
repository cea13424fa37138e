#include <gorewind/pos_strategy.hpp>

namespace gorewind {

void PosStrategy::begin_run(std::uint64_t seed) {
  rng_ = Prng(seed);
  priorities_.clear();
}

// priority() is g's, drawn when g is first seen; drawn priorities are never
// 0, and ties (1 in 2^64) fall to the lower gid.
std::uint64_t& PosStrategy::priority(Gid g) {
  if (priorities_.size() <= g) priorities_.resize(g + 1, 0);
  std::uint64_t& p = priorities_[g];
  if (p == 0) p = rng_.next() | 1;
  return p;
}

std::size_t PosStrategy::pick_goroutine(const Runnable& options) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < options.size(); ++i) {
    const std::uint64_t p = priority(options[i]);
    const std::uint64_t b = priority(options[best]);
    if (p > b || (p == b && options[i] < options[best])) best = i;
  }
  const Access ran = options.access(best);
  for (std::size_t i = 0; i < options.size(); ++i)
    if (i == best || races(options.access(i), ran)) priority(options[i]) = rng_.next() | 1;
  return best;
}

std::size_t PosStrategy::pick(Decision, std::size_t n) { return rng_.below(n); }

}  // namespace gorewind
