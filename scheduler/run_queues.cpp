// run_queues.cpp: see run_queues.hpp.
#include "run_queues.hpp"

#include <algorithm>
#include <utility>

namespace gorewind::detail {

RunQueues::RunQueues(unsigned procs) : ps_(procs) { ps_[0].schedtick = kMainTick; }

void RunQueues::put(unsigned p, Gid g, bool next) {
  ++count_;
  P& pp = ps_[p];
  if (next) {
    std::swap(pp.runnext, g);
    if (g == 0) return;
  }
  local_put(pp, g);
}

std::vector<Gid> RunQueues::local(unsigned p) const {
  const P& pp = ps_[p];
  std::vector<Gid> out;
  for (std::uint32_t i = pp.head; i != pp.tail; ++i) out.push_back(pp.ring[i % kLocal]);
  return out;
}

void RunQueues::local_put(P& p, Gid g) {
  if (p.tail - p.head < kLocal) {
    p.ring[p.tail++ % kLocal] = g;
    return;
  }
  // runqputslow(): the older half of the full ring, then g, in that order
  // (Go shuffles the batch only in race-detector builds).
  for (std::uint32_t i = 0; i < kLocal / 2; ++i) global_.push_back(p.ring[p.head++ % kLocal]);
  global_.push_back(g);
}

void RunQueues::put_global(Gid g) {
  ++count_;
  global_.push_back(g);
}

Gid RunQueues::global_get(P& p, std::size_t max) {
  if (global_.empty()) return 0;
  std::size_t n = std::min(global_.size() / ps_.size() + 1, global_.size());
  if (max > 0) n = std::min(n, max);
  n = std::min<std::size_t>(n, kLocal / 2);
  const Gid g = global_.front();
  global_.pop_front();
  for (std::size_t i = 1; i < n; ++i) {
    local_put(p, global_.front());
    global_.pop_front();
  }
  return g;
}

Gid RunQueues::take(unsigned p) {
  P& pp = ps_[p];
  Gid g = 0;
  bool inherit = false;
  // findRunnable(): now and then the global queue first, so that two
  // goroutines respawning each other cannot hold the local queue forever.
  if (pp.schedtick % 61 == 0) g = global_get(pp, 1);
  if (g == 0 && pp.runnext != 0) {
    g = std::exchange(pp.runnext, 0);
    inherit = true;
  }
  if (g == 0 && pp.head != pp.tail) g = pp.ring[pp.head++ % kLocal];
  if (g == 0) g = global_get(pp, 0);
  if (g == 0) return 0;
  --count_;
  if (!inherit) ++pp.schedtick;
  return g;
}

int RunQueues::stealable(unsigned victim) const {
  const P& v = ps_[victim];
  if (v.head != v.tail) return 2;
  return v.runnext != 0 ? 1 : 0;
}

Gid RunQueues::steal(unsigned p, unsigned victim) {
  P& pp = ps_[p];
  P& v = ps_[victim];
  Gid g = 0;
  if (const std::uint32_t n = v.tail - v.head; n > 0) {
    // runqgrab(): n - n/2 from the victim's head; runqsteal() runs the last.
    const std::uint32_t grab = n - n / 2;
    for (std::uint32_t i = 0; i + 1 < grab; ++i) pp.ring[pp.tail++ % kLocal] = v.ring[v.head++ % kLocal];
    g = v.ring[v.head++ % kLocal];
  } else {
    g = std::exchange(v.runnext, 0);
  }
  if (g == 0) return 0;
  --count_;
  ++pp.schedtick;
  return g;
}

}  // namespace gorewind::detail
