// run_position.hpp: where this thread's run stands, for a signal handler.
#pragma once

#include <cstddef>
#include <cstdint>

#include <gorewind/event.hpp>

namespace gorewind {

// RunPosition is the latest event of this thread's run and the goroutine on
// the CPU. name points into the goroutine's own storage: copy it at once.
struct RunPosition {
  bool active = false;  // a run is in progress on this thread
  std::uint64_t seq = 0;
  Gid gid = 0;          // 0: the runtime itself (between goroutines)
  const char* name = nullptr;
  std::size_t name_size = 0;
};

// run_position() reads it with plain loads: no lock, no allocation, so a
// crash handler may call it (async-signal-safe on the thread of the run).
RunPosition run_position() noexcept;

}  // namespace gorewind
