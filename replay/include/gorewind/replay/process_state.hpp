// process_state.hpp: what only the re-executed program knows at a seq, as a
// value: where each goroutine stands in its C++ code and the live runtime's
// own view of the state (watched values included).
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/native_stack.hpp>
#include <gorewind/state.hpp>

namespace gorewind::replay {

// EventKey is what identifies an event across two executions of a run.
struct EventKey {
  EventKind kind = EventKind::Switch;
  Gid gid = 0;
  ObjKind obj_kind = ObjKind::None;
  std::uint32_t obj = 0;
  Gid peer = 0;
  std::int64_t vtime_ns = 0;
  friend bool operator==(const EventKey&, const EventKey&) = default;
};

struct ProcessState {
  std::uint64_t seq = 0;
  // event is the re-executed program's event at seq (none at seq 0): the
  // log's whenever the program still replays the run, so comparing the two
  // is a cheap check where comparing states is not wanted.
  EventKey event;
  // stacks are the goroutines' native stacks, by gid, innermost frame first,
  // as addresses in the debugger's own process (a fork of it made them).
  std::vector<NativeStack> stacks;
  // state is capture_state() in the re-executed program; it equals the log
  // state at seq whenever the program still replays the run.
  RuntimeState state;
};

}  // namespace gorewind::replay
