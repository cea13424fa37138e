// writer_liveness.hpp: whether the process recording a run is still alive.
// A pid alone is not enough (pids are reused), so a writer is its pid plus
// its start time, as /proc/PID/stat gives it.
#pragma once

#include <cstdint>

namespace gorewind::storage {

// WriterId names one process for its whole life.
struct WriterId {
  std::int64_t pid = 0;
  std::int64_t start = 0;  // clock ticks after boot
};

// current_writer() is this process.
WriterId current_writer();

// writer_alive() says whether that process still runs.
bool writer_alive(const WriterId& w);

}  // namespace gorewind::storage
