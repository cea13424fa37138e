// wait_for_graph.hpp: who waits for whom, from a RuntimeState alone. Each
// blocked goroutine, the objects it waits on, and for each object the
// goroutines that could wake it: the live runtime computes it when a run
// deadlocks or leaks (RunResult::wait_for), and the log tools from the state
// at any seq of a recorded run, so both give the same graph.
//
// The state says who holds a Mutex and who waits on each side of a channel,
// but not which goroutines hold a channel or an RWMutex's read locks, nor
// who will call a WaitGroup's done or a Cond's signal. Where it cannot name
// the goroutine, the graph lists every one that could be it (WakeRole::Active
// and WakeRole::Any): the graph over-approximates, it never leaves a possible
// waker out. A goroutine blocked elsewhere may wake a channel's waiter once
// it is free again; of those the graph names the channel's recent peers
// (WakeRole::Former), so that a goroutine holding a lock while it sends to
// the one waiting for that lock is a cycle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/state.hpp>

namespace gorewind {

// WakeRole says why a goroutine could wake a blocked one.
enum class WakeRole : std::uint8_t {
  Holder,  // holds the lock waited for (a goroutine blocked on a lock it holds waits for itself)
  Peer,    // waits on the channel's other side
  Writer,  // an RWMutex writer queued ahead of a waiting reader
  Active,  // not blocked: it may still send, receive, close or unlock anything (a lock nobody holds)
  Former,  // blocked, but used the channel's other side lately (PastPeers): likely its peer again
  Any,     // any other goroutine: a WaitGroup's done, a Cond's signal, a Once, an RWMutex's read locks
  Timer,   // the runtime's timers (gid 0): a sleep, a receive from a pending timer's channel
};
std::string_view to_string(WakeRole r);

// Waker is one goroutine that could wake a blocked one, and why.
struct Waker {
  Gid gid = 0;
  std::string name;
  WakeRole role = WakeRole::Any;
  friend bool operator==(const Waker&, const Waker&) = default;
};

// WaitedObject is one object a blocked goroutine waits on, with the
// goroutines that could wake it, by gid (each once, in its strongest role).
struct WaitedObject {
  ObjKind kind = ObjKind::None;
  std::uint32_t id = 0;
  std::string name;   // "" when the state does not list the object (a Cond, a timer, a Once)
  bool send = false;  // a channel: waits to send on it (false: to receive)
  std::vector<Waker> wakers;
  friend bool operator==(const WaitedObject&, const WaitedObject&) = default;
};

// WaitForNode is one blocked goroutine.
struct WaitForNode {
  Gid gid = 0;
  std::string name;
  WaitReason reason = WaitReason::None;
  std::string site;  // "file:line" where it blocked
  // waits_on is empty for a wait nothing can end (a nil channel, select {}).
  std::vector<WaitedObject> waits_on;
  friend bool operator==(const WaitForNode&, const WaitForNode&) = default;
};

// WaitForGraph is every blocked goroutine of a state, by gid.
struct WaitForGraph {
  std::vector<WaitForNode> blocked;
  bool empty() const { return blocked.empty(); }
  friend bool operator==(const WaitForGraph&, const WaitForGraph&) = default;
};

// wait_for_graph() is the wait-for graph of s. It depends on s alone and
// is deterministic: nodes by gid, a select's channels by id, wakers by gid.
WaitForGraph wait_for_graph(const RuntimeState& s);

}  // namespace gorewind
