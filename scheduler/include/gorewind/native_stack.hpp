// native_stack.hpp: where each goroutine stands in its own C++ code, as the
// return addresses on its stack. A debugger that re-executes a run to a seq
// (replay/checkpoint_server.hpp) captures them there and symbolizes them.
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/event.hpp>

namespace gorewind {

// NativeStack is one goroutine's call stack, innermost frame first. A
// goroutine that has not run yet has no stack: its frames are empty.
struct NativeStack {
  Gid gid = 0;
  std::vector<std::uintptr_t> frames;
  friend bool operator==(const NativeStack&, const NativeStack&) = default;
};

// native_stacks() captures the stack of every goroutine alive, by gid, as
// it stands right after the latest event. Call it only from an Observer's
// on_event(). It resumes each parked goroutine just long enough to walk its
// stack (the goroutine runs none of its own code), so it costs a fiber
// switch per goroutine when called and nothing otherwise. The innermost
// frames are the runtime's own (and the caller's, for the goroutine whose
// event it is). Throws Error outside a run.
std::vector<NativeStack> native_stacks();

// native_stack() is goroutine gid's stack as native_stacks() gives it,
// walking that one goroutine only. Throws Error outside a run or for a
// goroutine that is not alive.
NativeStack native_stack(Gid gid);

}  // namespace gorewind
