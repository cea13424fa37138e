#include <gorewind/channel.hpp>

#include "chan_ops.hpp"
#include "scheduler.hpp"

namespace gorewind::detail {

ChanCore::ChanCore(std::size_t capacity, const ValueType* type) : cap_(capacity), type_(type) {}

void ChanCore::attach(std::string_view name, const std::source_location& loc) {
  id_ = register_object(ObjKind::Chan, name, static_cast<std::int64_t>(cap_), type_->name, loc, this);
}

void ChanCore::send(void* value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Chan, id_})) return;
  if (ChanOps::send_ready(*this)) return ChanOps::send_now(*this, s, value, site, -1);
  s.park_send(*this, value, site);
}

bool ChanCore::recv(void* slot, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Chan, id_})) return false;
  if (ChanOps::recv_ready(*this)) return ChanOps::recv_now(*this, s, slot, site, -1);
  return s.park_recv(*this, slot, site);
}

void ChanCore::close(const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({ObjKind::Chan, id_})) return;
  if (closed_) throw Panic("close of closed channel", site);
  ChanOps::close_now(*this, s, s.running()->id, site);
}

void ChanOps::close_now(ChanCore& c, Scheduler& s, Gid me, const std::source_location& site) {
  c.closed_ = true;
  const std::uint64_t seq = s.emit(EventKind::Close, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
  });
  RaceDetector* race = s.race();
  if (race) race->chan_close(c, me);
  // Every receiver gets the zero value; every blocked sender panics.
  while (Waiter* r = c.recvq.pop_front()) {
    if (race) race->chan_recv_closed(c, r->g->id);
    r->ok = false;
    s.complete(r, seq, me);
  }
  while (Waiter* w = c.sendq.pop_front()) {
    w->ok = false;
    s.complete(w, seq, me);
  }
}

bool ChanCore::offer(void* value) {
  Scheduler& s = Scheduler::get();
  if (closed_) return false;
  if (Waiter* r = recvq.pop_front()) {
    ChanOps::race_handoff(*this, s, 0, r->g->id);
    hand_off(value, r->data);
    r->ok = true;
    const std::uint64_t seq = s.emit(EventKind::Send, 0, {}, [&](Event& e) {
      e.obj_kind = ObjKind::Chan;
      e.obj = id_;
      e.peer = r->g->id;
      e.value = slot_value(r->data);
    });
    s.complete(r, seq, 0);
    return true;
  }
  if (buf_len() >= cap_) return false;
  if (RaceDetector* race = s.race()) race->chan_send(*this, 0);
  buf_push(value);
  s.emit(EventKind::Send, 0, {}, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = id_;
    e.value = buf_at(buf_len() - 1);
  });
  return true;
}

void block_on_nil(bool send, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({})) return;
  s.park(send ? WaitReason::ChanSendNil : WaitReason::ChanRecvNil, 0, site);
}

void close_nil(const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  throw Panic("close of nil channel", s.user_site(loc));
}

}  // namespace gorewind::detail
