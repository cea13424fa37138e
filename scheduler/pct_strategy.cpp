#include <gorewind/pct_strategy.hpp>

#include <algorithm>

#include <gorewind/error.hpp>

namespace gorewind {

PctStrategy::PctStrategy(int depth, std::uint64_t steps) : depth_(depth), steps_(std::max<std::uint64_t>(steps, 1)) {
  if (depth < 1) throw Error("pct: depth must be at least 1");
}

void PctStrategy::begin_run(std::uint64_t seed) {
  rng_ = Prng(seed);
  priorities_.clear();
  change_points_.clear();
  for (int i = 1; i < depth_; ++i) change_points_.push_back(1 + rng_.below(steps_));
  std::sort(change_points_.begin(), change_points_.end());
  next_change_ = 0;
  step_ = 0;
  last_ = 0;
}

// priority() is g's priority, drawn when g is first seen. Initial
// priorities lie above depth, so each lowered one (depth-1 ... 1) is below
// all of them; ties cannot happen in practice and fall to the lower gid.
std::uint64_t PctStrategy::priority(Gid g) {
  std::uint64_t& p = slot(g);
  if (p == 0) p = static_cast<std::uint64_t>(depth_) + 1 + (rng_.next() >> 2);
  return p;
}

std::uint64_t& PctStrategy::slot(Gid g) {
  if (g >= priorities_.size()) priorities_.resize(g + 1, 0);
  return priorities_[g];
}

std::size_t PctStrategy::pick_goroutine(const Runnable& options) {
  ++step_;
  const Gid running = options.current() != 0 ? options.current() : last_;
  while (next_change_ < change_points_.size() && change_points_[next_change_] <= step_) {
    if (running != 0) slot(running) = static_cast<std::uint64_t>(depth_ - 1) - next_change_;
    ++next_change_;
  }
  std::size_t best = 0;
  std::uint64_t best_priority = 0;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const std::uint64_t p = priority(options[i]);
    if (i == 0 || p > best_priority || (p == best_priority && options[i] < options[best])) {
      best = i;
      best_priority = p;
    }
  }
  last_ = options[best];
  return best;
}

std::size_t PctStrategy::pick(Decision, std::size_t n) { return rng_.below(n); }

}  // namespace gorewind
