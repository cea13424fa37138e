#include <gorewind/wait_group.hpp>

#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind {

using detail::Scheduler;

WaitGroup::~WaitGroup() { detail::release_object(id_, this); }

std::uint32_t WaitGroup::id(const std::source_location& loc) {
  const std::uint64_t gen = detail::run_generation();
  if (generation_ != gen) {
    generation_ = gen;
    counter_ = 0;
    id_ = detail::register_object(ObjKind::WaitGroup, name_, 0, "", loc, this);
  }
  return id_;
}

void WaitGroup::add(std::int64_t delta, std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::WaitGroup, id(site)})) return;
  counter_ += delta;
  const Gid me = s.running()->id;
  detail::RaceDetector* race = s.race();
  if (race && delta < 0) race->release_merge(id_, me);
  const std::uint64_t seq = s.emit(EventKind::WgAdd, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::WaitGroup;
    e.obj = id_;
    e.amount = delta;
    e.counter = counter_;
  });
  if (counter_ < 0) throw Panic("sync: negative WaitGroup counter", site);
  if (counter_ == 0)
    while (detail::Waiter* w = waiters_.pop_front()) {
      if (race) race->acquire(id_, w->g->id);
      s.complete(w, seq, me);
    }
}

void WaitGroup::wait(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::WaitGroup, id(site)})) return;
  detail::Goroutine* g = s.running();
  std::uint64_t cause = 0;
  if (counter_ != 0) {
    detail::Waiter w;
    w.g = g;
    waiters_.push_back(&w);
    s.park(WaitReason::WaitGroup, id_, site);
    if (!w.done) return;  // torn down
    // Go's Wait checks on waking that nobody has added since the release:
    // such an add() would be counted towards a Wait that is already over.
    if (counter_ != 0) throw Panic("sync: WaitGroup is reused before previous Wait has returned", site);
    cause = w.cause;
  } else if (detail::RaceDetector* race = s.race()) {
    race->acquire(id_, g->id);
  }
  s.emit(EventKind::WgWait, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::WaitGroup;
    e.obj = id_;
    e.cause = cause;
  });
}

}  // namespace gorewind
