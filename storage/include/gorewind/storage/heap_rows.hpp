// heap_rows.hpp: a run's heap counts (recorded with --heap) as the log
// holds them: per goroutine and allocating call site ("heap site", numbered
// per run in order of first use), what was allocated and what of it freed.
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/outcome.hpp>

namespace gorewind::storage {

// HeapDelta is what goroutine gid's allocations at heap site `site` did
// after event seq - 1 and by event seq.
struct HeapDelta {
  std::uint64_t seq = 0;
  Gid gid = 0;
  std::uint32_t site = 0;
  std::int64_t alloc_objects = 0;
  std::int64_t alloc_bytes = 0;
  std::int64_t free_objects = 0;
  std::int64_t free_bytes = 0;
};

// HeapRow is goroutine gid's allocations at heap site `site` up to a seq:
// all it allocated (alloc_*) and what of that is not freed yet (inuse_*),
// Go's four heap sample types.
struct HeapRow {
  Gid gid = 0;
  std::uint32_t site = 0;
  std::int64_t alloc_objects = 0;
  std::int64_t alloc_bytes = 0;
  std::int64_t inuse_objects = 0;
  std::int64_t inuse_bytes = 0;
  friend bool operator==(const HeapRow&, const HeapRow&) = default;
};

// HeapSite is a heap site's frames: the allocating call first, then the
// functions it was inlined into (their addresses are not kept).
struct HeapSite {
  std::uint32_t number = 0;
  std::vector<Frame> frames;
};

}  // namespace gorewind::storage
