// process_state.hpp: what only the re-executed program knows at a seq, as a
// value: where each goroutine stands in its C++ code and the live runtime's
// own view of the state (watched values included).
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/native_stack.hpp>
#include <gorewind/state.hpp>

namespace gorewind::replay {

struct ProcessState {
  std::uint64_t seq = 0;
  // stacks are the goroutines' native stacks, by gid, innermost frame first,
  // as addresses in the debugger's own process (a fork of it made them).
  std::vector<NativeStack> stacks;
  // state is capture_state() in the re-executed program; it equals the log
  // state at seq whenever the program still replays the run.
  RuntimeState state;
};

}  // namespace gorewind::replay
