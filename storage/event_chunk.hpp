// event_chunk.hpp: the events of a run as the log stores them, a few
// thousand to a row of the event_chunks table (a chunk): consecutive events,
// each encoded compactly, and a checksum of the encoding.
//
// The encoding is derived from for_each_field(), field by field, so that it
// cannot drift from the event: a chunk is a format byte, then per event a
// 3-byte mask of the fields that differ from their default (an
// EventRecord{}'s; the seq is never stored: it is first_seq + the event's
// index), then those fields in order. Integers and enums are LEB128 varints
// of their zigzagged difference to the default, except the virtual time
// (its difference to the previous event's) and the cause (the seq minus the
// cause); a false ok is its bit alone; the ready list is its count then
// its zigzagged entries; the value is its ValueForm byte then a zigzagged
// varint, a double's bits as a varint, or a varint length and the bytes; a string
// is a varint length then its bytes; the site is the run's site number
// (run_sites). Unlike an event record (event_record.hpp), this form is
// kept: any build reads what any other wrote.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/trace_hasher.hpp>

#include "event_record.hpp"

namespace gorewind::storage {

// kChunkEvents is the most events one chunk holds. Chunks never straddle a
// multiple of it, so each lies within one chunk digest's events.
inline constexpr std::uint64_t kChunkEvents = TraceHasher::kChunkEvents;

// EventChunkEncoder builds one chunk's bytes.
class EventChunkEncoder {
 public:
  EventChunkEncoder() { clear(); }
  // add() appends e, which must follow the chunk's last event (seq + 1).
  void add(const EventRecord& e);
  // clear() starts an empty chunk.
  void clear();
  std::string_view bytes() const { return out_; }
  std::size_t events() const { return events_; }

 private:
  std::string out_;
  std::size_t events_ = 0;
  std::int64_t vtime_ns_ = 0;  // the last event's
};

// DecodedChunk is a chunk's events read back; their strings and ready lists
// view the chunk's bytes and ready, so it lives as long as both.
struct DecodedChunk {
  std::vector<EventRecord> events;
  std::string ready;  // the ready lists' int32 entries
};

// decode_chunk() reads the count events of data, the first with seq
// first_seq, into out. Throws StorageError when data is not count events
// of this encoding.
void decode_chunk(std::string_view data, std::uint64_t first_seq, std::uint64_t count, DecodedChunk& out);

// chunk_checksum() is the checksum a chunk's row keeps of its data (XXH3,
// 64 bits, as SQLite's signed integer).
std::int64_t chunk_checksum(std::string_view data);

}  // namespace gorewind::storage
