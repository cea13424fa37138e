#include <gorewind/rw_mutex.hpp>

#include <gorewind/error.hpp>

#include "scheduler.hpp"

// The state mirrors Go's sync.RWMutex (readerCount, readerWait, the writer's
// mutex w, two semaphores) in plain fields, since only one goroutine runs at
// a time: writer_slot_ is w being held; writer_draining_ is readerCount being
// negative while readerWait > 0; readers_queue_ are the readers that found
// readerCount negative, counted as holders once the writer unlocks.

namespace gorewind {

using detail::Scheduler;

RWMutex::~RWMutex() { detail::release_object(id_, this); }

std::uint32_t RWMutex::id(const std::source_location& loc) {
  // Like Mutex, registered anew, unlocked, in each run that uses it.
  const std::uint64_t gen = detail::run_generation();
  if (generation_ != gen) {
    generation_ = gen;
    writer_slot_ = false;
    writer_draining_ = false;
    readers_ = 0;
    writer_ = 0;
    id_ = detail::register_object(ObjKind::RWMutex, name_, 0, "", loc, this);
  }
  return id_;
}

void RWMutex::lock(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::RWMutex, id(site), true})) return;
  detail::Goroutine* g = s.running();
  std::uint64_t cause = 0;
  bool requeue = false;
  // First the writer's slot, contended as a Mutex is: a woken writer must
  // still win it against whoever gets there first, and waits at the head if
  // it loses; which waiting writer an unlock wakes is the strategy's choice.
  while (writer_slot_) {
    detail::Waiter w;
    w.g = g;
    requeue ? writers_.push_front(&w) : writers_.push_back(&w);
    s.park(WaitReason::RWMutexWrite, id_, site);
    if (!w.done) return;  // torn down
    cause = w.cause;
    requeue = true;
  }
  // Holding the slot announces the writer: new readers queue from now on,
  // and the writer waits for the readers already inside to leave.
  writer_slot_ = true;
  if (readers_ > 0) {
    writer_draining_ = true;
    detail::Waiter w;
    w.g = g;
    drain_.push_back(&w);
    s.park(WaitReason::RWMutexWrite, id_, site);
    if (!w.done) return;  // torn down
    cause = w.cause;
  }
  writer_ = g->id;
  if (detail::RaceDetector* race = s.race()) {
    race->acquire(id_, writer_);
    race->acquire_readers(id_, writer_);
  }
  s.emit(EventKind::Lock, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::RWMutex;
    e.obj = id_;
    e.cause = cause;
  });
}

bool RWMutex::try_lock(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::RWMutex, id(site), true}) || writer_slot_ || readers_ > 0) return false;
  writer_slot_ = true;
  writer_ = s.running()->id;
  if (detail::RaceDetector* race = s.race()) {
    race->acquire(id_, writer_);
    race->acquire_readers(id_, writer_);
  }
  s.emit(EventKind::Lock, writer_, site, [&](Event& e) {
    e.obj_kind = ObjKind::RWMutex;
    e.obj = id_;
  });
  return true;
}

void RWMutex::unlock(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::RWMutex, id(site), true})) return;
  if (!writer_slot_ || writer_draining_)
    return s.fail(Outcome::Panic, "fatal error: sync: Unlock of unlocked RWMutex", site);
  writer_slot_ = false;
  writer_ = 0;
  const Gid me = s.running()->id;
  if (detail::RaceDetector* race = s.race()) race->release(id_, me);
  const std::uint64_t seq = s.emit(EventKind::Unlock, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::RWMutex;
    e.obj = id_;
  });
  // Every reader that queued behind this writer holds the lock now, before
  // the next writer can take the slot (Go: readerCount += rwmutexMaxReaders,
  // release readerSem for each, then w.Unlock).
  while (detail::Waiter* w = readers_queue_.pop_front()) {
    ++readers_;
    s.complete(w, seq, me);
  }
  // The writer's slot is a sync.Mutex: which waiting writer is woken to
  // compete for it is up to the strategy, as for Mutex.
  if (writers_.empty()) return;
  const std::size_t n = writers_.size();
  const std::size_t i = n > 1 ? s.strategy().pick(Decision::LockHandoff, n) : 0;
  if (i >= n) throw Error("gorewind: strategy picked an RWMutex writer out of range");
  s.complete(writers_.take(i), seq, me);
}

void RWMutex::lock_shared(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::RWMutex, id(site), false})) return;
  detail::Goroutine* g = s.running();
  std::uint64_t cause = 0;
  if (writer_slot_) {
    // A writer holds the lock or waits for it: queue behind it. The writer's
    // unlock counts us among the readers before it wakes us.
    detail::Waiter w;
    w.g = g;
    readers_queue_.push_back(&w);
    s.park(WaitReason::RWMutexRead, id_, site);
    if (!w.done) return;  // torn down
    cause = w.cause;
  } else {
    ++readers_;
  }
  if (detail::RaceDetector* race = s.race()) race->acquire(id_, g->id);
  s.emit(EventKind::RLock, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::RWMutex;
    e.obj = id_;
    e.cause = cause;
    e.counter = readers_;
  });
}

bool RWMutex::try_lock_shared(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::RWMutex, id(site), false}) || writer_slot_) return false;
  ++readers_;
  if (detail::RaceDetector* race = s.race()) race->acquire(id_, s.running()->id);
  s.emit(EventKind::RLock, s.running()->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::RWMutex;
    e.obj = id_;
    e.counter = readers_;
  });
  return true;
}

void RWMutex::unlock_shared(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::RWMutex, id(site), false})) return;
  if (readers_ == 0) return s.fail(Outcome::Panic, "fatal error: sync: RUnlock of unlocked RWMutex", site);
  --readers_;
  const Gid me = s.running()->id;
  if (detail::RaceDetector* race = s.race()) race->release_reader(id_, me);
  const std::uint64_t seq = s.emit(EventKind::RUnlock, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::RWMutex;
    e.obj = id_;
    e.counter = readers_;
  });
  // The last reader out lets the announced writer in.
  if (readers_ == 0 && writer_draining_) {
    writer_draining_ = false;
    if (detail::Waiter* w = drain_.pop_front()) s.complete(w, seq, me);
  }
}

}  // namespace gorewind
