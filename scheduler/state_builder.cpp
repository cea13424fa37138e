// state_builder.cpp: the state after each event, from the events alone. Each
// rule mirrors what the runtime did before it reported the event (see
// event.hpp); tests compare the result with capture_state() at random seqs.
#include <gorewind/state.hpp>

#include <algorithm>

#include <gorewind/site.hpp>

namespace gorewind {

namespace {

template <class Info>
Info* find_by_id(std::vector<Info>& v, std::uint32_t id) {
  auto it = std::lower_bound(v.begin(), v.end(), id, [](const Info& x, std::uint32_t i) { return x.id < i; });
  return it != v.end() && it->id == id ? &*it : nullptr;
}

void erase_gid(std::vector<Gid>& v, Gid g) { std::erase(v, g); }

void insert_sorted(std::vector<Gid>& v, Gid g) { v.insert(std::upper_bound(v.begin(), v.end(), g), g); }

}  // namespace

StateBuilder::StateBuilder(RuntimeState start) : state_(std::move(start)) {}

GoroutineInfo& StateBuilder::goroutine(Gid gid) {
  auto& gs = state_.goroutines;
  auto it = std::lower_bound(gs.begin(), gs.end(), gid, [](const GoroutineInfo& g, Gid id) { return g.gid < id; });
  if (it == gs.end() || it->gid != gid) {
    // An event of a goroutine the state does not know: a log cut short.
    GoroutineInfo g;
    g.gid = gid;
    it = gs.insert(it, std::move(g));
  }
  return *it;
}

ChannelInfo* StateBuilder::channel(std::uint32_t id) { return find_by_id(state_.channels, id); }
LockInfo* StateBuilder::lock(std::uint32_t id) { return find_by_id(state_.locks, id); }
WaitGroupInfo* StateBuilder::wait_group(std::uint32_t id) { return find_by_id(state_.wait_groups, id); }

// unblock() makes a parked goroutine runnable and takes it out of every
// queue it waited in (all of a select's channels).
void StateBuilder::unblock(Gid gid) {
  GoroutineInfo& g = goroutine(gid);
  if (g.status == GoroutineStatus::Blocked) {
    switch (g.obj_kind) {
      case ObjKind::Chan:
        if (g.reason == WaitReason::Select) {
          for (ChannelInfo& c : state_.channels) {
            erase_gid(c.senders, gid);
            erase_gid(c.receivers, gid);
          }
        } else if (ChannelInfo* c = channel(g.obj)) {
          erase_gid(c->senders, gid);
          erase_gid(c->receivers, gid);
        }
        break;
      case ObjKind::Mutex:
      case ObjKind::RWMutex:
        if (LockInfo* l = lock(g.obj)) {
          erase_gid(l->waiters, gid);
          // A reader queued behind a writer is counted in when it is woken.
          if (g.reason == WaitReason::RWMutexRead) ++l->readers;
        }
        break;
      case ObjKind::WaitGroup:
        if (WaitGroupInfo* w = wait_group(g.obj)) erase_gid(w->waiters, gid);
        break;
      default: break;
    }
  }
  g.status = GoroutineStatus::Runnable;
  g.reason = WaitReason::None;
  g.obj_kind = ObjKind::None;
  g.obj = 0;
  g.offering.clear();
}

void StateBuilder::apply(const Event& e) {
  state_.seq = e.seq;
  state_.vtime_ns = e.vtime_ns;

  // The goroutine that did it is the one running (a Wake is reported under
  // the woken goroutine's id by its waker, the peer); the runtime (gid 0)
  // runs between goroutines.
  const Gid actor = e.kind == EventKind::Wake ? e.peer : e.gid;
  if (actor != 0 && e.kind != EventKind::Exit) {
    for (GoroutineInfo& g : state_.goroutines)
      if (g.status == GoroutineStatus::Running && g.gid != actor) g.status = GoroutineStatus::Runnable;
    GoroutineInfo& g = goroutine(actor);
    g.status = GoroutineStatus::Running;
    if (e.kind != EventKind::Wake && e.site.file_name()[0] != '\0') g.site = site_text(e.site);
  }

  switch (e.kind) {
    case EventKind::Spawn: {
      GoroutineInfo child;
      child.gid = e.peer;
      child.parent = e.gid;
      child.name = std::string(e.text);
      goroutine(e.peer) = std::move(child);
      break;
    }
    case EventKind::Exit:
      std::erase_if(state_.goroutines, [&](const GoroutineInfo& g) { return g.gid == e.gid; });
      break;
    case EventKind::Park: {
      GoroutineInfo& g = goroutine(e.gid);
      g.status = GoroutineStatus::Blocked;
      g.reason = e.reason;
      g.obj_kind = e.obj_kind;
      g.obj = e.obj;
      g.offering = e.value ? e.value.to_string() : std::string();
      if (e.reason == WaitReason::Select) {
        for (std::int32_t w : e.ready) {
          if (ChannelInfo* c = channel(static_cast<std::uint32_t>(w < 0 ? -w : w)))
            (w < 0 ? c->senders : c->receivers).push_back(e.gid);
        }
      } else if (e.obj_kind == ObjKind::Chan) {
        if (ChannelInfo* c = channel(e.obj))
          (e.reason == WaitReason::ChanSend ? c->senders : c->receivers).push_back(e.gid);
      } else if (e.obj_kind == ObjKind::Mutex || e.obj_kind == ObjKind::RWMutex) {
        if (LockInfo* l = lock(e.obj)) insert_sorted(l->waiters, e.gid);
      } else if (e.obj_kind == ObjKind::WaitGroup) {
        if (WaitGroupInfo* w = wait_group(e.obj)) insert_sorted(w->waiters, e.gid);
      }
      break;
    }
    case EventKind::Wake: unblock(e.gid); break;
    case EventKind::Make:
      switch (e.obj_kind) {
        case ObjKind::Chan: {
          ChannelInfo c;
          c.id = e.obj;
          c.name = std::string(e.text);
          c.type = std::string(e.type_name);
          c.cap = e.amount;
          state_.channels.push_back(std::move(c));
          break;
        }
        case ObjKind::Mutex:
        case ObjKind::RWMutex: {
          LockInfo l;
          l.id = e.obj;
          l.kind = e.obj_kind;
          l.name = std::string(e.text);
          state_.locks.push_back(std::move(l));
          break;
        }
        case ObjKind::Timer:
          if (ChannelInfo* c = e.ready.empty() ? nullptr : channel(static_cast<std::uint32_t>(e.ready.front()))) {
            c->timer = e.obj;
            c->ticker = e.counter > 0;
            c->timer_armed = true;
          }
          break;
        case ObjKind::WaitGroup: {
          WaitGroupInfo w;
          w.id = e.obj;
          w.name = std::string(e.text);
          state_.wait_groups.push_back(std::move(w));
          break;
        }
        default: break;
      }
      break;
    case EventKind::Send: {
      ChannelInfo* c = channel(e.obj);
      if (c && e.gid != 0) c->past_senders.note(e.gid);
      if (!c || e.cause != 0) break;  // a parked sender's completion: counted when it was taken
      if (e.peer != 0)
        erase_gid(c->receivers, e.peer);
      else
        c->buffer.push_back(e.value.to_string());
      break;
    }
    case EventKind::Recv: {
      ChannelInfo* c = channel(e.obj);
      if (c && e.gid != 0) c->past_receivers.note(e.gid);
      if (!c || e.cause != 0 || !e.ok) break;
      // A sender taken off the queue offers nothing any more, even
      // before its Wake.
      if (e.peer != 0) {
        erase_gid(c->senders, e.peer);
        goroutine(e.peer).offering.clear();
      } else {
        if (!c->buffer.empty()) c->buffer.erase(c->buffer.begin());
        if (!c->senders.empty()) {
          // The first blocked sender's value moved into the buffer.
          goroutine(c->senders.front()).offering.clear();
          c->senders.erase(c->senders.begin());
          c->buffer.push_back(std::string(e.text));
        }
      }
      break;
    }
    case EventKind::Close:
      if (ChannelInfo* c = channel(e.obj)) c->closed = true;
      break;
    case EventKind::Lock:
      if (LockInfo* l = lock(e.obj)) l->owner = e.gid;
      break;
    case EventKind::Unlock:
      if (LockInfo* l = lock(e.obj)) l->owner = 0;
      break;
    case EventKind::RLock:
    case EventKind::RUnlock:
      if (LockInfo* l = lock(e.obj)) l->readers = e.counter;
      break;
    case EventKind::WgAdd:
      if (WaitGroupInfo* w = wait_group(e.obj)) w->counter = e.counter;
      break;
    case EventKind::Watch: state_.watched.insert_or_assign(std::string(e.text), e.value.to_string()); break;
    case EventKind::TimerFire:
    case EventKind::TimerStop:
    case EventKind::TimerReset: {
      // Sleeps and a Context's deadline have timers of their own: no channel.
      const auto c = std::find_if(state_.channels.begin(), state_.channels.end(),
                                  [&](const ChannelInfo& x) { return x.timer == e.obj; });
      if (c == state_.channels.end()) break;
      if (e.kind == EventKind::TimerFire) {
        c->timer_armed = c->ticker;
      } else {
        // Stopping or resetting drops a value the timer sent and nobody took.
        c->timer_armed = e.kind == EventKind::TimerReset;
        c->buffer.clear();
      }
      break;
    }
    default: break;
  }
}

}  // namespace gorewind
