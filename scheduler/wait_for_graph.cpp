// wait_for_graph.cpp: the wakers of each wait, rule by rule (see the header
// for what the state cannot say and how the graph makes up for it).
#include <gorewind/wait_for_graph.hpp>

#include <algorithm>
#include <unordered_map>

namespace gorewind {
namespace {

// ChannelWait is one channel a goroutine is queued on, and which way.
struct ChannelWait {
  const ChannelInfo* channel;
  bool send;
};

// by_id() indexes objects by their id.
template <class Info>
std::unordered_map<std::uint32_t, const Info*> by_id(const std::vector<Info>& v) {
  std::unordered_map<std::uint32_t, const Info*> out;
  out.reserve(v.size());
  for (const Info& x : v) out.emplace(x.id, &x);
  return out;
}

template <class Info>
const Info* find_by_id(const std::unordered_map<std::uint32_t, const Info*>& index, std::uint32_t id) {
  const auto it = index.find(id);
  return it == index.end() ? nullptr : it->second;
}

std::uint64_t object_key(ObjKind kind, std::uint32_t id) {
  return static_cast<std::uint64_t>(kind) << 32 | id;
}

// State is a RuntimeState with what every node asks of it found once: a
// goroutine by gid, an object by id, the channels each goroutine is queued
// on, and the goroutines not blocked. Without it a graph of 100,000 blocked
// goroutines costs 10^10 steps.
struct State {
  explicit State(const RuntimeState& rs)
      : s(rs), channels(by_id(rs.channels)), locks(by_id(rs.locks)), wait_groups(by_id(rs.wait_groups)) {
    by_gid.reserve(s.goroutines.size());
    for (const GoroutineInfo& g : s.goroutines) {
      by_gid.emplace(g.gid, &g);
      if (g.status != GoroutineStatus::Blocked) active.push_back(g.gid);
      if (g.status == GoroutineStatus::Blocked && g.reason == WaitReason::RWMutexWrite)
        writers_waiting[object_key(g.obj_kind, g.obj)].push_back(g.gid);
    }
    // A select's channels, in the order a scan of the channels meets
    // them: a channel's receivers before its senders.
    auto in_select = [this](Gid gid) {
      const auto it = by_gid.find(gid);
      return it != by_gid.end() && it->second->reason == WaitReason::Select;
    };
    for (const ChannelInfo& c : s.channels) {
      for (Gid gid : c.receivers)
        if (in_select(gid)) queued_on[gid].push_back({&c, false});
      for (Gid gid : c.senders)
        if (in_select(gid)) queued_on[gid].push_back({&c, true});
    }
  }
  const RuntimeState& s;
  std::unordered_map<Gid, const GoroutineInfo*> by_gid;
  std::unordered_map<std::uint32_t, const ChannelInfo*> channels;
  std::unordered_map<std::uint32_t, const LockInfo*> locks;
  std::unordered_map<std::uint32_t, const WaitGroupInfo*> wait_groups;
  std::unordered_map<Gid, std::vector<ChannelWait>> queued_on;  // of goroutines blocked in a select
  // writers_waiting[object_key(kind, id)]: the goroutines blocked to
  // write-lock that RWMutex, in state order.
  std::unordered_map<std::uint64_t, std::vector<Gid>> writers_waiting;
  std::vector<Gid> active;
};

// WakerSet gathers the wakers of one object: a gid seen again keeps the
// role it was first added with, so add the strongest roles first.
class WakerSet {
 public:
  explicit WakerSet(const State& s) : s_(s) {}
  void add(Gid gid, WakeRole role) { wakers_.push_back(Waker{gid, {}, role}); }
  bool empty() const { return wakers_.empty(); }
  std::vector<Waker> take() {
    // Stable: of a gid's entries the first added stays.
    std::stable_sort(wakers_.begin(), wakers_.end(), [](const Waker& a, const Waker& b) { return a.gid < b.gid; });
    wakers_.erase(std::unique(wakers_.begin(), wakers_.end(), [](const Waker& a, const Waker& b) { return a.gid == b.gid; }),
                  wakers_.end());
    for (Waker& w : wakers_) w.name = w.gid == 0 ? std::string("runtime") : name_of(w.gid);
    return std::move(wakers_);
  }

 private:
  std::string name_of(Gid gid) const {
    const auto it = s_.by_gid.find(gid);
    return it == s_.by_gid.end() ? std::string() : it->second->name;
  }
  const State& s_;
  std::vector<Waker> wakers_;
};

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
  if (!send && c.timer_armed) set.add(0, WakeRole::Timer);  // after(), a Timer's or a Ticker's channel
  add_active(s, me.gid, set);
  for (Gid past : (send ? c.past_receivers : c.past_senders).gids)
    if (past != 0 && past != me.gid && s.by_gid.count(past) != 0) set.add(past, WakeRole::Former);
  o.wakers = set.take();
  return o;
}

std::vector<WaitedObject> select_waits(const State& s, const GoroutineInfo& me) {
  std::vector<WaitedObject> out;
  const auto it = s.queued_on.find(me.gid);
  if (it == s.queued_on.end()) return out;
  for (const ChannelWait& w : it->second) out.push_back(channel_wait(s, me, *w.channel, w.send));
  return out;
}

WaitedObject lock_wait(const State& s, const GoroutineInfo& me) {
  WaitedObject o{me.obj_kind, me.obj, {}, false, {}};
  WakerSet set(s);
  const LockInfo* l = find_by_id(s.locks, me.obj);
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
    const auto it = s.writers_waiting.find(object_key(me.obj_kind, me.obj));
    if (it != s.writers_waiting.end())
      for (Gid gid : it->second)
        if (gid != me.gid) set.add(gid, WakeRole::Writer);
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
      if (const ChannelInfo* c = find_by_id(s.channels, g.obj))
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
      if (const WaitGroupInfo* w = g.obj_kind == ObjKind::WaitGroup ? find_by_id(s.wait_groups, g.obj) : nullptr)
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
    case WakeRole::Former: return "former peer";
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
