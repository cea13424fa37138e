#include <gorewind/cond.hpp>

#include <vector>

#include "scheduler.hpp"

namespace gorewind {

using detail::Scheduler;

namespace {

// A Cond waiter joins the queue before it unlocks the mutex, and that unlock
// is a scheduling point: a signal may pick it while it is still runnable, not
// yet parked. Waiter::data points to this ticket; only a parked waiter is
// woken. The ticket carries the signal's clock to the race detector when the
// wait returns, not before: the waiter's unlock comes before the signal.
struct CondTicket {
  bool parked = false;
  detail::VectorClock signal;
};

// notify() completes a waiter picked by a signal or broadcast.
void notify(Scheduler& s, detail::Waiter* w, std::uint64_t seq, Gid me) {
  auto* ticket = static_cast<CondTicket*>(w->data);
  if (detail::RaceDetector* race = s.race()) race->release_into(ticket->signal, me);
  if (ticket->parked) {
    s.complete(w, seq, me);
  } else {
    w->done = true;
    w->cause = seq;
    w->peer = me;
  }
}

}  // namespace

std::uint32_t Cond::id(const std::source_location& loc) {
  const std::uint64_t gen = detail::run_generation();
  if (generation_ != gen) {
    generation_ = gen;
    id_ = detail::register_object(ObjKind::Cond, name_, 0, "", loc);
  }
  return id_;
}

void Cond::wait(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  // A copy: the mutex calls below update the goroutine's site.
  const std::source_location site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Cond, id(site)})) return;
  detail::Goroutine* g = s.running();
  CondTicket ticket;
  detail::Waiter w;
  w.g = g;
  w.data = &ticket;
  waiters_.push_back(&w);
  mu_.unlock(site);
  if (s.tearing_down()) return;  // the unlock was fatal, or the run ended there
  if (!w.done) {
    ticket.parked = true;
    s.park(WaitReason::Cond, id_, site);
    if (!w.done) return;  // torn down
  }
  // Re-locking is an ordinary lock: whoever gets the mutex first may change
  // the condition before this goroutine sees it.
  mu_.lock(site);
  if (s.tearing_down()) return;
  if (detail::RaceDetector* race = s.race()) race->acquire_from(ticket.signal, g->id);
  s.emit(EventKind::CondWait, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Cond;
    e.obj = id_;
    e.cause = w.cause;
  });
}

void Cond::signal(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Cond, id(site)})) return;
  const Gid me = s.running()->id;
  detail::Waiter* w = waiters_.pop_front();
  const std::uint64_t seq = s.emit(EventKind::CondSignal, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Cond;
    e.obj = id_;
    e.peer = w ? w->g->id : 0;
  });
  if (w) notify(s, w, seq, me);
}

void Cond::broadcast(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Cond, id(site)})) return;
  const Gid me = s.running()->id;
  std::vector<detail::Waiter*> woken;
  while (detail::Waiter* w = waiters_.pop_front()) woken.push_back(w);
  const std::uint64_t seq = s.emit(EventKind::CondBroadcast, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Cond;
    e.obj = id_;
    e.counter = static_cast<std::int64_t>(woken.size());
  });
  for (detail::Waiter* w : woken) notify(s, w, seq, me);
}

}  // namespace gorewind
