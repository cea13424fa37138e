#include <gorewind/once.hpp>

#include "scheduler.hpp"

namespace gorewind {

using detail::Scheduler;

std::uint32_t Once::id(const std::source_location& loc) {
  // A Once may outlive a run: each run that uses it starts it afresh.
  const std::uint64_t gen = detail::run_generation();
  if (generation_ != gen) {
    generation_ = gen;
    done_ = false;
    running_ = false;
    id_ = detail::register_object(ObjKind::Once, name_, 0, "", loc);
  }
  return id_;
}

bool Once::begin(const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Once, id(site)})) return false;
  detail::Goroutine* g = s.running();
  if (done_) {
    if (detail::RaceDetector* race = s.race()) race->acquire(id_, g->id);
    return false;
  }
  if (running_) {
    // Go: o.m.Lock() blocks until the running call's deferred Unlock; then
    // o.done is set and the function is not run again.
    detail::Waiter w;
    w.g = g;
    waiters_.push_back(&w);
    s.park(WaitReason::Once, id_, site);
    return false;  // done, or torn down
  }
  running_ = true;
  site_ = site;
  s.emit(EventKind::OnceBegin, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Once;
    e.obj = id_;
  });
  return true;
}

void Once::end(bool ok) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  done_ = true;
  running_ = false;
  const Gid me = s.running()->id;
  detail::RaceDetector* race = s.race();
  if (race) race->release(id_, me);
  const std::uint64_t seq = s.emit(EventKind::OnceEnd, me, site_, [&](Event& e) {
    e.obj_kind = ObjKind::Once;
    e.obj = id_;
    e.ok = ok;
  });
  while (detail::Waiter* w = waiters_.pop_front()) {
    if (race) race->acquire(id_, w->g->id);
    s.complete(w, seq, me);
  }
}

}  // namespace gorewind
