// steady_clock_ns.hpp: the monotonic clock in nanoseconds, for WriterStats.
#pragma once

#include <chrono>
#include <cstdint>

namespace gorewind::storage {

inline std::uint64_t steady_clock_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace gorewind::storage
