#include <gorewind/error.hpp>
#include <gorewind/timer.hpp>

#include "scheduler.hpp"

namespace gorewind {

using detail::Scheduler;

namespace {
// emit_timer_op() records a stop or reset: ok says whether it was pending.
void emit_timer_op(Scheduler& s, EventKind kind, const detail::TimerState& t, bool pending,
                   const std::source_location& site) {
  s.emit(kind, s.running()->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Timer;
    e.obj = t.id;
    e.ok = pending;
    e.amount = t.armed ? t.when : 0;
  });
}
}  // namespace

Timer::Timer(Duration d, std::source_location loc)
    : C(chan<Time>::nil()), state_(Scheduler::get().new_timer("timer", d, Duration::zero(), loc)) {
  C = *state_->channel;
}

bool Timer::stop(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Timer, state_->id})) return false;
  const bool pending = s.disarm_timer(*state_);
  emit_timer_op(s, EventKind::TimerStop, *state_, pending, site);
  return pending;
}

bool Timer::reset(Duration d, std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Timer, state_->id})) return false;
  const bool pending = s.arm_timer(*state_, d);
  emit_timer_op(s, EventKind::TimerReset, *state_, pending, site);
  return pending;
}

Ticker::Ticker(Duration period, std::source_location loc) : C(chan<Time>::nil()) {
  if (period.count() <= 0) throw Panic("non-positive interval for NewTicker", loc);
  state_ = Scheduler::get().new_timer("ticker", period, period, loc);
  C = *state_->channel;
}

void Ticker::stop(std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Timer, state_->id})) return;
  const bool pending = s.disarm_timer(*state_);
  emit_timer_op(s, EventKind::TimerStop, *state_, pending, site);
}

void Ticker::reset(Duration period, std::source_location loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (period.count() <= 0) throw Panic("non-positive interval for Ticker.Reset", site);
  if (!s.sched_point({ObjKind::Timer, state_->id})) return;
  state_->period = period.count();
  const bool pending = s.arm_timer(*state_, period);
  emit_timer_op(s, EventKind::TimerReset, *state_, pending, site);
}

}  // namespace gorewind
