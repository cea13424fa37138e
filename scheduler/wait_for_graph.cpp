// wait_for_graph.cpp: the wakers of each wait, rule by rule (see the header
// for what the state cannot say and how the graph makes up for it).
#include <gorewind/wait_for_graph.hpp>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace gorewind {
namespace {

// State is a RuntimeState with what every node asks of it found once: a
// goroutine by gid, and the goroutines not blocked. Without it a graph of
// 100,000 blocked goroutines costs 10^10 steps.
struct State {
  explicit State(const RuntimeState& rs) : s(rs) {
    for (const GoroutineInfo& g : s.goroutines) {
      by_gid.emplace(g.gid, &g);
      if (g.status != GoroutineStatus::Blocked) active.push_back(g.gid);
    }
  }
  const RuntimeState& s;
  std::unordered_map<Gid, const GoroutineInfo*> by_gid;
  std::vector<Gid> active;
};

// WakerSet gathers the wakers of one object: a gid seen again keeps the
// role it was first added with, so add the strongest roles first.
class WakerSet {
 public:
  explicit WakerSet(const State& s) : s_(s) {}
  void add(Gid gid, WakeRole role) {
    if (!seen_.insert(gid).second) return;
    wakers_.push_back(Waker{gid, gid == 0 ? std::string("runtime") : name_of(gid), role});
  }
  bool empty() const { return wakers_.empty(); }
  std::vector<Waker> take() {
    std::sort(wakers_.begin(), wakers_.end(), [](const Waker& a, const Waker& b) { return a.gid < b.gid; });
    return std::move(wakers_);
  }

 private:
  std::string name_of(Gid gid) const {
    const auto it = s_.by_gid.find(gid);
    return it == s_.by_gid.end() ? std::string() : it->second->name;
  }
  const State& s_;
  std::unordered_set<Gid> seen_;
  std::vector<Waker> wakers_;
};

template <class Info>
const Info* find_by_id(const std::vector<Info>& v, std::uint32_t id) {
  for (const Info& x : v)
    if (x.id == id) return &x;
  return nullptr;
}

bool waits_on(const GoroutineInfo& g, ObjKind kind, std::uint32_t id) {
  return g.status == GoroutineStatus::Blocked && g.obj_kind == kind && g.obj == id;
}

// add_active() adds every goroutine that is not blocked.
void add_active(const State& s, Gid self, WakerSet& set) {
  for (Gid gid : s.active)
    if (gid != self) set.add(gid, WakeRole::Active);
}

// add_any() adds every goroutine but those waiting on the same object.
void add_any(const State& s, const GoroutineInfo& me, WakerSet& set) {
  for (const GoroutineInfo& g : s.s.goroutines)
    if (g.gid != me.gid && !waits_on(g, me.obj_kind, me.obj)) set.add(g.gid, WakeRole::Any);
}

WaitedObject channel_wait(const State& s, const GoroutineInfo& me, const ChannelInfo& c, bool send) {
  WaitedObject o{ObjKind::Chan, c.id, c.name, send, {}};
  WakerSet set(s);
  for (Gid peer : send ? c.receivers : c.senders)
    if (peer != me.gid) set.add(peer, WakeRole::Peer);
  add_active(s, me.gid, set);
  o.wakers = set.take();
  return o;
}

std::vector<WaitedObject> select_waits(const State& s, const GoroutineInfo& me) {
  std::vector<WaitedObject> out;
  for (const ChannelInfo& c : s.s.channels) {
    if (std::find(c.receivers.begin(), c.receivers.end(), me.gid) != c.receivers.end())
      out.push_back(channel_wait(s, me, c, false));
    if (std::find(c.senders.begin(), c.senders.end(), me.gid) != c.senders.end())
      out.push_back(channel_wait(s, me, c, true));
  }
  return out;
}

WaitedObject lock_wait(const State& s, const GoroutineInfo& me) {
  WaitedObject o{me.obj_kind, me.obj, {}, false, {}};
  WakerSet set(s);
  const LockInfo* l = find_by_id(s.s.locks, me.obj);
  if (!l) {
    add_any(s, me, set);
    o.wakers = set.take();
    return o;
  }
  o.name = l->name;
  // A holder that has exited never unlocks.
  if (s.by_gid.count(l->owner) != 0) set.add(l->owner, WakeRole::Holder);
  if (me.reason == WaitReason::RWMutexRead) {
    // Go's RWMutex lets no new reader in while a writer waits.
    for (const GoroutineInfo& g : s.s.goroutines)
      if (g.gid != me.gid && waits_on(g, me.obj_kind, me.obj) && g.reason == WaitReason::RWMutexWrite)
        set.add(g.gid, WakeRole::Writer);
  } else if (l->readers > 0) {
    // The state counts read locks but does not say whose they are: any
    // other goroutine may hold one, one waiting on this lock too.
    for (const GoroutineInfo& g : s.s.goroutines)
      if (g.gid != me.gid) set.add(g.gid, WakeRole::Any);
  }
  // Held by nobody that could release it (released to a woken waiter that
  // has not run yet, or its holder exited): Go lets any goroutine unlock.
  if (set.empty()) add_active(s, me.gid, set);
  o.wakers = set.take();
  return o;
}

WaitForNode node_of(const State& s, const GoroutineInfo& g) {
  WaitForNode n{g.gid, g.name, g.reason, g.site, {}};
  switch (g.reason) {
    case WaitReason::ChanSend:
    case WaitReason::ChanRecv:
      if (const ChannelInfo* c = find_by_id(s.s.channels, g.obj))
        n.waits_on.push_back(channel_wait(s, g, *c, g.reason == WaitReason::ChanSend));
      break;
    case WaitReason::Select: n.waits_on = select_waits(s, g); break;
    case WaitReason::ChanSendNil:
    case WaitReason::ChanRecvNil:
    case WaitReason::SelectNoCases: break;
    case WaitReason::Mutex:
    case WaitReason::RWMutexRead:
    case WaitReason::RWMutexWrite: n.waits_on.push_back(lock_wait(s, g)); break;
    case WaitReason::Sleep: {
      WakerSet set(s);
      set.add(0, WakeRole::Timer);
      n.waits_on.push_back(WaitedObject{g.obj_kind, g.obj, {}, false, set.take()});
      break;
    }
    default: {
      // WaitGroup, Cond, Once, and any wait added later: anyone may end it.
      WaitedObject o{g.obj_kind, g.obj, {}, false, {}};
      if (const WaitGroupInfo* w = g.obj_kind == ObjKind::WaitGroup ? find_by_id(s.s.wait_groups, g.obj) : nullptr)
        o.name = w->name;
      WakerSet set(s);
      add_any(s, g, set);
      o.wakers = set.take();
      n.waits_on.push_back(std::move(o));
      break;
    }
  }
  return n;
}

}  // namespace

std::string_view to_string(WakeRole r) {
  switch (r) {
    case WakeRole::Holder: return "holder";
    case WakeRole::Peer: return "peer";
    case WakeRole::Writer: return "writer ahead";
    case WakeRole::Active: return "active";
    case WakeRole::Any: return "any";
    case WakeRole::Timer: return "timer";
  }
  return "?";
}

WaitForGraph wait_for_graph(const RuntimeState& rs) {
  const State s(rs);
  WaitForGraph graph;
  for (const GoroutineInfo& g : rs.goroutines)
    if (g.status == GoroutineStatus::Blocked) graph.blocked.push_back(node_of(s, g));
  std::sort(graph.blocked.begin(), graph.blocked.end(),
            [](const WaitForNode& a, const WaitForNode& b) { return a.gid < b.gid; });
  return graph;
}

}  // namespace gorewind
