// state.cpp: capture_state(), the live side of gorewind/state.hpp.
#include <gorewind/state.hpp>

#include <algorithm>

#include <gorewind/detail/chan_core.hpp>
#include <gorewind/mutex.hpp>
#include <gorewind/rw_mutex.hpp>
#include <gorewind/wait_group.hpp>

#include "scheduler.hpp"

namespace gorewind {
namespace detail {

// StateAccess reads the private state of the objects a state lists.
struct StateAccess {
  static void add_gids(const WaitQueue& q, std::vector<Gid>& out) {
    for (const Waiter* w = q.front(); w; w = w->next) out.push_back(w->g->id);
  }
  static ChannelInfo channel(const ChanCore& c) {
    ChannelInfo info;
    info.type = std::string(c.type()->name);
    info.cap = static_cast<std::int64_t>(c.cap());
    info.closed = c.closed();
    for (std::size_t i = 0; i < c.buf_len(); ++i) info.buffer.push_back(c.buf_at(i).to_string());
    add_gids(c.sendq, info.senders);
    add_gids(c.recvq, info.receivers);
    info.past_senders = c.past_senders;
    info.past_receivers = c.past_receivers;
    info.timer = c.timer_id;
    info.ticker = c.ticker;
    const std::shared_ptr<const TimerState> t = c.timer.lock();
    info.timer_armed = t && t->armed;
    return info;
  }
  static LockInfo lock(const Mutex& m) {
    LockInfo info;
    info.kind = ObjKind::Mutex;
    info.owner = m.owner_;
    add_gids(m.waiters_, info.waiters);
    std::sort(info.waiters.begin(), info.waiters.end());
    return info;
  }
  static LockInfo lock(const RWMutex& m) {
    LockInfo info;
    info.kind = ObjKind::RWMutex;
    info.owner = m.writer_;
    info.readers = m.readers_;
    add_gids(m.writers_, info.waiters);
    add_gids(m.drain_, info.waiters);
    add_gids(m.readers_queue_, info.waiters);
    std::sort(info.waiters.begin(), info.waiters.end());
    return info;
  }
  static WaitGroupInfo wait_group(const WaitGroup& wg) {
    WaitGroupInfo info;
    info.counter = wg.counter_;
    add_gids(wg.waiters_, info.waiters);
    std::sort(info.waiters.begin(), info.waiters.end());
    return info;
  }
};

namespace {

// describe() adds the current state of object id to out (from the
// registry's id: the object learns its own only once its Make is out).
void describe(std::uint32_t id, ObjKind kind, const void* self, RuntimeState& out) {
  switch (kind) {
    case ObjKind::Chan:
      out.channels.push_back(StateAccess::channel(*static_cast<const ChanCore*>(self)));
      out.channels.back().id = id;
      break;
    case ObjKind::Mutex:
    case ObjKind::RWMutex:
      out.locks.push_back(kind == ObjKind::Mutex ? StateAccess::lock(*static_cast<const Mutex*>(self))
                                                 : StateAccess::lock(*static_cast<const RWMutex*>(self)));
      out.locks.back().id = id;
      break;
    case ObjKind::WaitGroup:
      out.wait_groups.push_back(StateAccess::wait_group(*static_cast<const WaitGroup*>(self)));
      out.wait_groups.back().id = id;
      break;
    default: break;
  }
}

template <class Info>
void sort_by_id(std::vector<Info>& v) {
  std::sort(v.begin(), v.end(), [](const Info& a, const Info& b) { return a.id < b.id; });
}

}  // namespace

void Scheduler::retire_object(std::uint32_t id, const void* self) {
  // Another run's object with the same id is at another address: two live
  // objects never share one.
  if (id >= object_refs_.size() || object_refs_[id].self != self) return;
  describe(id, object_refs_[id].kind, object_refs_[id].self, retired_);
  if (object_refs_[id].kind == ObjKind::Chan) {
    const auto& c = *static_cast<const ChanCore*>(object_refs_[id].self);
    for (const Waiter* w = c.sendq.front(); w; w = w->next)
      if (!w->sel) retired_offerings_.insert_or_assign(w->g->id, std::pair(id, c.value_of(w->data).to_string()));
  }
  object_refs_[id].self = nullptr;
}

void Scheduler::set_watched(std::string_view name, std::string text) {
  watched_.insert_or_assign(std::string(name), std::move(text));
}

RuntimeState Scheduler::capture() const {
  RuntimeState st;
  st.seq = seq_;
  st.vtime_ns = now_;
  st.channels = retired_.channels;
  st.locks = retired_.locks;
  st.wait_groups = retired_.wait_groups;
  for (std::uint32_t id = 0; id < object_refs_.size(); ++id)
    if (object_refs_[id].self) describe(id, object_refs_[id].kind, object_refs_[id].self, st);
  sort_by_id(st.channels);
  sort_by_id(st.locks);
  sort_by_id(st.wait_groups);
  for (ChannelInfo& c : st.channels) c.name = object_names_[c.id];
  for (LockInfo& l : st.locks) l.name = object_names_[l.id];
  for (WaitGroupInfo& w : st.wait_groups) w.name = object_names_[w.id];

  for (const auto& owned : goroutines_) {
    const Goroutine* g = owned.get();
    if (!g || g->state == GoroutineState::Done) continue;
    GoroutineInfo info;
    info.gid = g->id;
    info.parent = g->parent;
    info.name = g->name;
    info.site = g->id < event_sites_.size() ? site_text(event_sites_[g->id]) : std::string();
    switch (g->state) {
      case GoroutineState::Running: info.status = GoroutineStatus::Running; break;
      case GoroutineState::Blocked:
        info.status = GoroutineStatus::Blocked;
        info.reason = g->reason;
        info.obj = g->wait_obj;
        info.obj_kind = g->wait_obj != 0 ? waited_kind(g->reason) : ObjKind::None;
        break;
      default: info.status = GoroutineStatus::Runnable; break;
    }
    st.goroutines.push_back(std::move(info));
  }
  // A goroutine blocked in a plain send offers its value.
  auto goroutine = [&](Gid id) -> GoroutineInfo* {
    auto it = std::lower_bound(st.goroutines.begin(), st.goroutines.end(), id,
                               [](const GoroutineInfo& gi, Gid x) { return gi.gid < x; });
    return it != st.goroutines.end() && it->gid == id ? &*it : nullptr;
  };
  for (const ObjectRef& ref : object_refs_) {
    if (!ref.self || ref.kind != ObjKind::Chan) continue;
    const auto& c = *static_cast<const ChanCore*>(ref.self);
    for (const Waiter* w = c.sendq.front(); w; w = w->next)
      if (GoroutineInfo* gi = w->sel ? nullptr : goroutine(w->g->id)) gi->offering = c.value_of(w->data).to_string();
  }
  for (const auto& [gid, offer] : retired_offerings_) {
    GoroutineInfo* gi = goroutine(gid);
    if (gi && gi->status == GoroutineStatus::Blocked && gi->reason == WaitReason::ChanSend && gi->obj == offer.first)
      gi->offering = offer.second;
  }
  st.watched = watched_;
  return st;
}

void release_object(std::uint32_t id, const void* self) {
  if (Scheduler* s = Scheduler::current()) s->retire_object(id, self);
}

}  // namespace detail

RuntimeState capture_state() { return detail::Scheduler::get().capture(); }

std::string_view to_string(GoroutineStatus s) {
  switch (s) {
    case GoroutineStatus::Runnable: return "runnable";
    case GoroutineStatus::Running: return "running";
    case GoroutineStatus::Blocked: return "blocked";
  }
  return "?";
}

}  // namespace gorewind
