// chan_ops.hpp: the steps of a channel operation, shared by plain sends and
// receives and by select. Private to the runtime.
#pragma once

#include <source_location>
#include <string>

#include <gorewind/detail/chan_core.hpp>
#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind::detail {

struct ChanOps {
  // send_ready(): a send would not block (a receiver waits, the buffer has
  // room, or the channel is closed and the send would panic).
  static bool send_ready(const ChanCore& c) { return c.closed_ || !c.recvq.empty() || c.buf_len() < c.cap_; }
  // recv_ready(): a receive would not block.
  static bool recv_ready(const ChanCore& c) { return c.buf_len() > 0 || !c.sendq.empty() || c.closed_; }

  // send_now() sends without blocking; requires send_ready(). Panics on a
  // closed channel.
  static void send_now(ChanCore& c, Scheduler& s, void* value, const std::source_location& site, int select_case);
  // recv_now() receives without blocking; requires recv_ready(). Returns ok.
  static bool recv_now(ChanCore& c, Scheduler& s, void* slot, const std::source_location& site, int select_case);
  // close_now() closes an open channel on behalf of goroutine me (0: the
  // runtime, e.g. a Context's deadline) without a scheduling point.
  static void close_now(ChanCore& c, Scheduler& s, Gid me, const std::source_location& site);
  // race_handoff() tells the race detector, if any, of sender's value going
  // straight to a parked receiver, or the other way round.
  static void race_handoff(ChanCore& c, Scheduler& s, Gid sender, Gid receiver) {
    RaceDetector* race = s.race();
    if (!race) return;
    if (c.cap_ == 0) return race->chan_handoff(sender, receiver);
    race->chan_send(c, sender);
    race->chan_recv(c, receiver);
  }
  // finish_send() and finish_recv() report an operation that a parked
  // goroutine's waiter w completed; a send completed by close panics.
  static void finish_send(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case);
  static bool finish_recv(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case);
};

// The steps every send and receive takes are inline: they are most of a
// channel operation's work, and a call apiece would add a good part again.

inline void ChanOps::send_now(ChanCore& c, Scheduler& s, void* value, const std::source_location& site, int select_case) {
  const Gid me = s.running()->id;
  if (c.closed_) throw Panic("send on closed channel", site);
  if (Waiter* r = c.recvq.pop_front()) {
    race_handoff(c, s, me, r->g->id);
    c.hand_off(value, r->data);
    r->ok = true;
    c.past_senders.note(me);
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
  if (RaceDetector* race = s.race()) race->chan_send(c, me);
  c.buf_push(value);
  c.past_senders.note(me);
  s.emit(EventKind::Send, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
    e.select_case = select_case;
    e.value = c.buf_at(c.buf_len() - 1);
  });
}

inline bool ChanOps::recv_now(ChanCore& c, Scheduler& s, void* slot, const std::source_location& site, int select_case) {
  const Gid me = s.running()->id;
  auto emit_recv = [&](Gid peer, bool ok, bool refilled = false) {
    c.past_receivers.note(me);
    return s.emit(EventKind::Recv, me, site, [&](Event& e) {
      e.obj_kind = ObjKind::Chan;
      e.obj = c.id_;
      e.peer = peer;
      e.ok = ok;
      e.select_case = select_case;
      e.value = c.slot_value(slot);
      if (refilled) {
        std::string& text = s.text_scratch();
        text = c.buf_at(c.buf_len() - 1).to_string();
        e.text = text;
      }
    });
  };
  RaceDetector* race = s.race();
  if (c.buf_len() > 0) {
    if (race) race->chan_recv(c, me);
    c.buf_pop(slot);
    // A sender blocked on the full buffer now gets its value in at the back.
    Waiter* w = c.sendq.pop_front();
    if (w) {
      if (race) race->chan_send(c, w->g->id);
      c.buf_push(w->data);
    }
    const std::uint64_t seq = emit_recv(0, true, w != nullptr);
    if (w) {
      w->ok = true;
      s.complete(w, seq, me);
      w->peer = 0;  // its value went into the buffer, not to us: its Send reports no peer
    }
    return true;
  }
  if (Waiter* w = c.sendq.pop_front()) {
    race_handoff(c, s, w->g->id, me);
    c.hand_off(w->data, slot);
    w->ok = true;
    const std::uint64_t seq = emit_recv(w->g->id, true);
    s.complete(w, seq, me);
    return true;
  }
  if (race) race->chan_recv_closed(c, me);
  c.zero(slot);
  emit_recv(0, false);
  return false;
}

inline void ChanOps::finish_send(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case) {
  if (!w.ok) throw Panic("send on closed channel", site);
  c.past_senders.note(s.running()->id);
  s.emit(EventKind::Send, s.running()->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Chan;
    e.obj = c.id_;
    e.peer = w.peer;
    e.cause = w.cause;
    e.select_case = select_case;
  });
}

inline bool ChanOps::finish_recv(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case) {
  if (!w.ok) c.zero(w.data);
  c.past_receivers.note(s.running()->id);
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

}  // namespace gorewind::detail
