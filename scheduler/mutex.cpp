#include <gorewind/mutex.hpp>

#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind {

using detail::Scheduler;

Mutex::~Mutex() { detail::release_object(id_, this); }

std::uint32_t Mutex::id(const std::source_location& loc) {
  // A Mutex may outlive a run (a test's global, say): it is registered anew,
  // unlocked, in each run that uses it.
  const std::uint64_t gen = detail::run_generation();
  if (generation_ != gen) {
    generation_ = gen;
    locked_ = false;
    owner_ = 0;
    id_ = detail::register_object(ObjKind::Mutex, name_, 0, "", loc, this);
  }
  return id_;
}

void Mutex::lock(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Mutex, id(site)})) return;
  detail::Goroutine* g = s.running();
  std::uint64_t cause = 0;
  bool requeue = false;
  while (locked_) {
    // A woken waiter that finds the mutex taken again waits at the head.
    detail::Waiter w;
    w.g = g;
    requeue ? waiters_.push_front(&w) : waiters_.push_back(&w);
    s.park(WaitReason::Mutex, id_, site);
    if (!w.done) return;  // torn down
    cause = w.cause;
    requeue = true;
  }
  locked_ = true;
  owner_ = g->id;
  if (detail::RaceDetector* race = s.race()) race->acquire(id_, g->id);
  s.emit(EventKind::Lock, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Mutex;
    e.obj = id_;
    e.cause = cause;
  });
}

bool Mutex::try_lock(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Mutex, id(site)}) || locked_) return false;
  locked_ = true;
  owner_ = s.running()->id;
  if (detail::RaceDetector* race = s.race()) race->acquire(id_, owner_);
  s.emit(EventKind::Lock, owner_, site, [&](Event& e) {
    e.obj_kind = ObjKind::Mutex;
    e.obj = id_;
  });
  return true;
}

void Mutex::unlock(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Mutex, id(site)})) return;
  if (!locked_) return s.fail(Outcome::Panic, "fatal error: sync: unlock of unlocked mutex", site);
  locked_ = false;
  owner_ = 0;
  const Gid me = s.running()->id;
  if (detail::RaceDetector* race = s.race()) race->release(id_, me);
  const std::uint64_t seq = s.emit(EventKind::Unlock, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Mutex;
    e.obj = id_;
  });
  // Go's normal mode: wake one waiter, which must still win the mutex
  // against whoever gets there first. Which waiter is up to the strategy.
  if (waiters_.empty()) return;
  const std::size_t n = waiters_.size();
  const std::size_t i = n > 1 ? s.strategy().pick(Decision::LockHandoff, n) : 0;
  if (i >= n) throw Error("gorewind: strategy picked a mutex waiter out of range");
  s.complete(waiters_.take(i), seq, me);
}

}  // namespace gorewind
