// heap_growth.hpp: where in-use memory grew between two points of a run
// recorded with --heap, the other half of `profile --before-failure`'s
// rollback comparison: the blocked chain, and the jump in memory with it.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include <gorewind/storage/heap_rows.hpp>

namespace gorewind::cli {

// SiteGrowth is how much one heap site's in-use memory changed, summed
// over its goroutines.
struct SiteGrowth {
  std::uint32_t site = 0;
  std::int64_t bytes = 0;
  std::int64_t objects = 0;
};

// heap_growth() is each heap site's change in use from before to after
// (heap_rows() at two seqs), the sites whose in-use bytes grew first, most
// first (ties by site), then those that did not grow.
std::vector<SiteGrowth> heap_growth(const std::vector<storage::HeapRow>& before,
                                    const std::vector<storage::HeapRow>& after);

// write_heap_growth() prints the change in use in all, then up to `top`
// sites whose in-use bytes grew most, each with its call site and function
// (sites by number - 1).
void write_heap_growth(std::ostream& out, const std::vector<SiteGrowth>& growth,
                       const std::vector<storage::HeapSite>& sites, std::size_t top);

}  // namespace gorewind::cli
