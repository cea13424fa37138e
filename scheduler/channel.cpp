#include <gorewind/channel.hpp>

#include "chan_ops.hpp"
#include "scheduler.hpp"

namespace gorewind::detail {

ChanCore::ChanCore(std::size_t capacity, const ValueType* type) : cap_(capacity), type_(type) {}

void ChanCore::attach(std::string_view name, const std::source_location& loc) {
  id_ = register_object(ObjKind::Chan, name, static_cast<std::int64_t>(cap_), type_->name, loc, this);
  generation_ = run_generation();
}

void ChanOps::send_now(ChanCore& c, Scheduler& s, void* value, const std::source_location& site, int select_case) {
  const Gid me = s.running()->id;
  if (c.closed_) throw Panic("send on closed channel", site);
  if (Waiter* r = c.recvq.pop_front()) {
    c.hand_off(value, r->data);
    r->ok = true;
    const std::uint64_t seq = s.emit(EventKind::Send, me, site, [&](Event& e) {
      e.obj_kind = ObjKind::Chan;
      e.obj = c.id_;
      e.peer = r->g->id;
      e.select_case = select_case;
      e.value = c.slot_value(r->data);
    });
    s.complete(r, seq, me);
    return;
  }
  c.buf_push(value);
  s.emit(EventKind::Send, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
    e.select_case = select_case;
    e.value = c.buf_at(c.buf_len() - 1);
  });
}

bool ChanOps::recv_now(ChanCore& c, Scheduler& s, void* slot, const std::source_location& site, int select_case) {
  const Gid me = s.running()->id;
  std::string refill;
  auto emit_recv = [&](Gid peer, bool ok, bool refilled = false) {
    return s.emit(EventKind::Recv, me, site, [&](Event& e) {
      e.obj_kind = ObjKind::Chan;
      e.obj = c.id_;
      e.peer = peer;
      e.ok = ok;
      e.select_case = select_case;
      e.value = c.slot_value(slot);
      if (refilled) {
        refill = c.buf_at(c.buf_len() - 1).to_string();
        e.text = refill;
      }
    });
  };
  if (c.buf_len() > 0) {
    c.buf_pop(slot);
    // A sender blocked on the full buffer now gets its value in at the back.
    Waiter* w = c.sendq.pop_front();
    if (w) c.buf_push(w->data);
    const std::uint64_t seq = emit_recv(0, true, w != nullptr);
    if (w) {
      w->ok = true;
      s.complete(w, seq, me);
      w->peer = 0;  // its value went into the buffer, not to us: its Send reports no peer
    }
    return true;
  }
  if (Waiter* w = c.sendq.pop_front()) {
    c.hand_off(w->data, slot);
    w->ok = true;
    const std::uint64_t seq = emit_recv(w->g->id, true);
    s.complete(w, seq, me);
    return true;
  }
  c.zero(slot);
  emit_recv(0, false);
  return false;
}

void ChanOps::finish_send(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case) {
  if (!w.ok) throw Panic("send on closed channel", site);
  s.emit(EventKind::Send, s.running()->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
    e.peer = w.peer;
    e.cause = w.cause;
    e.select_case = select_case;
  });
}

bool ChanOps::finish_recv(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case) {
  if (!w.ok) c.zero(w.data);
  s.emit(EventKind::Recv, s.running()->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
    e.peer = w.ok ? w.peer : 0;
    e.ok = w.ok;
    e.cause = w.cause;
    e.select_case = select_case;
    e.value = c.slot_value(w.data);
  });
  return w.ok;
}

void ChanCore::send(void* value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point()) return;
  if (ChanOps::send_ready(*this)) return ChanOps::send_now(*this, s, value, site, -1);
  Waiter w;
  w.g = s.running();
  w.data = value;
  w.is_send = true;
  sendq.push_back(&w);
  s.park(WaitReason::ChanSend, id_, site, value_of(value));
  if (!w.done) return;  // torn down
  ChanOps::finish_send(*this, s, w, site, -1);
}

bool ChanCore::recv(void* slot, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point()) return false;
  if (ChanOps::recv_ready(*this)) return ChanOps::recv_now(*this, s, slot, site, -1);
  Waiter w;
  w.g = s.running();
  w.data = slot;
  recvq.push_back(&w);
  s.park(WaitReason::ChanRecv, id_, site);
  if (!w.done) return false;  // torn down
  return ChanOps::finish_recv(*this, s, w, site, -1);
}

void ChanCore::close(const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point()) return;
  if (closed_) throw Panic("close of closed channel", site);
  ChanOps::close_now(*this, s, s.running()->id, site);
}

void ChanOps::close_now(ChanCore& c, Scheduler& s, Gid me, const std::source_location& site) {
  c.closed_ = true;
  const std::uint64_t seq = s.emit(EventKind::Close, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
  });
  // Every receiver gets the zero value; every blocked sender panics.
  while (Waiter* r = c.recvq.pop_front()) {
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
  if (!s.sched_point()) return;
  s.park(send ? WaitReason::ChanSendNil : WaitReason::ChanRecvNil, 0, site);
}

void close_nil(const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  throw Panic("close of nil channel", s.user_site(loc));
}

}  // namespace gorewind::detail
