// event_batch.hpp: events on their way from the scheduler thread to the
// database, in a form that costs little to fill (fixed-size records, strings
// in one arena) and is reused batch after batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/storage/output_chunk.hpp>
#include <gorewind/storage/value_codec.hpp>

namespace gorewind::storage {

// BatchEvent is one Event; its strings (value bytes, type name, text) lie
// one after another in the batch's arena from bytes_begin.
struct BatchEvent {
  std::uint64_t seq;
  std::uint64_t cause;
  std::int64_t vtime_ns;
  std::int64_t amount;
  std::int64_t counter;
  std::int64_t value_int;
  double value_real;
  std::uint32_t gid;
  std::uint32_t obj;
  std::uint32_t peer;
  std::uint32_t site;  // the writer's site number; 0: the runtime
  std::int32_t select_case;
  std::uint32_t ready_begin;
  std::uint32_t ready_count;
  std::uint32_t bytes_begin;
  std::uint32_t value_len;
  std::uint32_t type_len;
  std::uint32_t text_len;
  EventKind kind;
  ObjKind obj_kind;
  WaitReason reason;
  bool ok;
  ValueForm form;
};

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
  std::vector<BatchEvent> events;
  std::string bytes;
  std::vector<std::int32_t> ready;
  std::vector<NewSite> sites;
  std::vector<NewSnapshot> snapshots;
  std::vector<ChunkDigest> digests;
  std::vector<ScheduleChunk> schedule;
  std::vector<OutputChunk> output;

  bool empty() const {
    return events.empty() && sites.empty() && snapshots.empty() && digests.empty() && schedule.empty() &&
           output.empty();
  }
  void clear() {
    events.clear();
    bytes.clear();
    ready.clear();
    sites.clear();
    snapshots.clear();
    digests.clear();
    schedule.clear();
    output.clear();
  }
  std::string_view value_bytes(const BatchEvent& e) const { return {bytes.data() + e.bytes_begin, e.value_len}; }
  std::string_view type_name(const BatchEvent& e) const {
    return {bytes.data() + e.bytes_begin + e.value_len, e.type_len};
  }
  std::string_view text(const BatchEvent& e) const {
    return {bytes.data() + e.bytes_begin + e.value_len + e.type_len, e.text_len};
  }
};

}  // namespace gorewind::storage
