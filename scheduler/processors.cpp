// processors.cpp: see processors.hpp.
#include "processors.hpp"

#include <algorithm>
#include <limits>

namespace gorewind::detail {

Processors::Processors(unsigned procs) : queues(procs), ps_(procs), ms_(static_cast<std::int32_t>(procs)) {
  for (unsigned p = 0; p < procs; ++p) ps_[p].m = static_cast<std::int32_t>(p);
}

void Processors::hand_off(unsigned p) {
  if (idle_ms_.empty()) {
    ps_[p].m = ms_++;
  } else {
    ps_[p].m = idle_ms_.back();
    idle_ms_.pop_back();
  }
}

void Processors::bind(unsigned p, std::int32_t m) {
  idle_ms_.push_back(ps_[p].m);
  ps_[p].m = m;
}

bool Processors::running() const {
  return std::any_of(ps_.begin(), ps_.end(), [](const P& p) { return p.curg != 0; });
}

std::int64_t Processors::earliest(std::int64_t now, std::vector<unsigned>& tied) const {
  tied.clear();
  const bool work = !queues.empty();
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  const unsigned n = size();
  for (unsigned k = 0; k < n; ++k) {
    const unsigned p = (current_ + k) % n;
    if (ps_[p].curg == 0 && !work) continue;
    const std::int64_t clock = p == current_ ? now : ps_[p].clock;
    if (clock > best) continue;
    if (clock < best) tied.clear();
    best = clock;
    tied.push_back(p);
  }
  return best;
}

std::int64_t Processors::latest(std::int64_t now) const {
  std::int64_t t = now;
  for (unsigned p = 0; p < size(); ++p)
    if (p != current_) t = std::max(t, ps_[p].clock);
  return t;
}

}  // namespace gorewind::detail
