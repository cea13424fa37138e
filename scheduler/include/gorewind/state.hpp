// state.hpp: the runtime's state at one seq, as a value. The live runtime
// captures it (capture_state) and a StateBuilder rebuilds it from events
// alone, so a snapshot in the log plus the events after it give the state at
// any later seq without running the program.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/past_peers.hpp>

namespace gorewind {

// GoroutineStatus is where a live goroutine is.
enum class GoroutineStatus : std::uint8_t { Runnable, Running, Blocked };
std::string_view to_string(GoroutineStatus s);

struct GoroutineInfo {
  Gid gid = 0;
  Gid parent = 0;
  std::string name;
  GoroutineStatus status = GoroutineStatus::Runnable;
  WaitReason reason = WaitReason::None;  // while blocked
  ObjKind obj_kind = ObjKind::None;      // what it waits on, while blocked
  std::uint32_t obj = 0;
  std::string site;      // "file:line" of its latest operation ("" before its first)
  std::string offering;  // the value text a blocked send offers
  friend bool operator==(const GoroutineInfo&, const GoroutineInfo&) = default;
};

struct ChannelInfo {
  std::uint32_t id = 0;
  std::string name;
  std::string type;  // element type
  std::int64_t cap = 0;
  bool closed = false;
  std::vector<std::string> buffer;  // value texts, next to be received first
  std::vector<Gid> senders;         // blocked senders in queue order (selects included)
  std::vector<Gid> receivers;       // blocked receivers in queue order
  PastPeers past_senders;           // who sent on it lately
  PastPeers past_receivers;         // who received from it lately
  std::uint32_t timer = 0;          // the timer that sends on it (after(), Timer, Ticker); 0: none
  bool ticker = false;              // that timer re-arms when it fires
  bool timer_armed = false;         // that timer will fire
  friend bool operator==(const ChannelInfo&, const ChannelInfo&) = default;
};

// LockInfo is a Mutex or an RWMutex.
struct LockInfo {
  std::uint32_t id = 0;
  ObjKind kind = ObjKind::Mutex;
  std::string name;
  Gid owner = 0;             // the goroutine holding it (for writing); 0: none
  std::int64_t readers = 0;  // RWMutex: read locks held
  std::vector<Gid> waiters;  // blocked in lock or lock_shared, by gid
  friend bool operator==(const LockInfo&, const LockInfo&) = default;
};

struct WaitGroupInfo {
  std::uint32_t id = 0;
  std::string name;
  std::int64_t counter = 0;
  std::vector<Gid> waiters;  // by gid
  friend bool operator==(const WaitGroupInfo&, const WaitGroupInfo&) = default;
};

// RuntimeState is everything a debugger shows at one seq: the goroutines
// that have not exited (by gid), every channel, lock and WaitGroup the run
// made so far (by id), virtual time and watched values (by name).
struct RuntimeState {
  std::uint64_t seq = 0;
  std::int64_t vtime_ns = 0;
  std::vector<GoroutineInfo> goroutines;
  std::vector<ChannelInfo> channels;
  std::vector<LockInfo> locks;
  std::vector<WaitGroupInfo> wait_groups;
  std::map<std::string, std::string> watched;
  friend bool operator==(const RuntimeState&, const RuntimeState&) = default;
};

// capture_state() is the running program's state right after the latest
// event. It only reads, so an observer may call it from on_event()
// (observer.hpp). Throws Error outside a run.
RuntimeState capture_state();

// StateBuilder replays events onto a state: start from an empty state (seq
// 0) or a snapshot, apply every later event in seq order, and state() is the
// state after the last one. It needs no program, only the events.
class StateBuilder {
 public:
  StateBuilder() = default;
  explicit StateBuilder(RuntimeState start);
  void apply(const Event& e);
  const RuntimeState& state() const { return state_; }

 private:
  GoroutineInfo& goroutine(Gid gid);
  ChannelInfo* channel(std::uint32_t id);
  LockInfo* lock(std::uint32_t id);
  WaitGroupInfo* wait_group(std::uint32_t id);
  void unblock(Gid gid);
  RuntimeState state_;
};

}  // namespace gorewind
