// event_batch.hpp: events on their way from the scheduler thread to the
// database, as event records one after another in one string that is reused
// batch after batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/storage/heap_rows.hpp>
#include <gorewind/storage/output_chunk.hpp>

#include "event_record.hpp"

namespace gorewind::storage {

// NewSite is a site first seen in this batch, under the writer's number.
struct NewSite {
  std::uint32_t number;
  std::string file;
  std::uint32_t line;
  std::string function;
};

struct NewSnapshot {
  std::uint64_t seq;
  std::string state;
};

struct ChunkDigest {
  std::uint64_t chunk;
  std::uint64_t digest;
};

// ScheduleChunk is one row of the schedules table, encoded.
struct ScheduleChunk {
  std::uint64_t chunk;
  std::uint64_t choices;
  std::string data;
};

struct EventBatch {
  std::string records;      // the events' records (event_record.hpp), in seq order
  std::size_t events = 0;   // how many records
  std::vector<NewSite> sites;
  std::vector<NewSnapshot> snapshots;
  std::vector<ChunkDigest> digests;
  std::vector<ScheduleChunk> schedule;
  std::vector<OutputChunk> output;
  std::vector<HeapDelta> heap;
  std::vector<HeapSite> heap_sites;

  bool empty() const {
    return events == 0 && sites.empty() && snapshots.empty() && digests.empty() && schedule.empty() &&
           output.empty() && heap.empty() && heap_sites.empty();
  }
  void clear() {
    records.clear();
    events = 0;
    sites.clear();
    snapshots.clear();
    digests.clear();
    schedule.clear();
    output.clear();
    heap.clear();
    heap_sites.clear();
  }
  // for_each_event() calls f(record, its bytes) for each event in order.
  template <class F>
  void for_each_event(F&& f) const {
    EventRecord e;
    for (std::size_t at = 0; at < records.size();) {
      const std::string_view rest = std::string_view(records).substr(at);
      const std::size_t n = read_record(rest, e);
      f(e, rest.substr(0, n));
      at += n;
    }
  }
};

}  // namespace gorewind::storage
