// log_stream.hpp: the messages of a streamed recording, the one place their
// format is written down; EventLogWriter (with a LogSink) encodes them,
// LogStreamWriter decodes them.
//
// A recording is, in order: Begin, then any of Site, Event, Snapshot, Heap,
// Schedule, Digest as the run goes, then End (missing when the producer
// died). A Site comes before the first Event that uses its number. Every
// message is its kind (one byte) then its fields, packed in the host's byte
// order (both ends are the same program on the same machine: the stream is
// never stored):
//
//   Begin     scenario, params (count, then key, value each), seed, strategy,
//             build, program, race_mode, heap (one byte), procs, cpu_cost_ns
//   Site      number, file, line, function
//   Event     the event's record (event_record.hpp)
//   Snapshot  seq, then the encoded state up to the end
//   Schedule  chunk, choices, then the encoded choices up to the end
//   Choices   the encoded choices made since the last message, up to the
//             end (a streaming Recorder sends them after each event, so a
//             run cut by its producer's death keeps its schedule)
//   Digest    chunk, digest
//   Heap      seq, count, then count times: gid, call site (a return
//             address of the producer's), alloc_objects, alloc_bytes,
//             free_objects, free_bytes (heap::Delta)
//   End       outcome, message, failed_gid, failed site (file, line,
//             function), events, vtime_ns, trace_hash, has_schedule (one
//             byte), then the encoded choices up to the end
//
// A string is its length (u32) then its bytes; integers are their
// fixed-width types. Decoders throw StorageError for a message that ends
// early or has bytes left over.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <gorewind/storage/event_log_writer.hpp>

#include "event_batch.hpp"

namespace gorewind::storage {

// StreamMessage is what a message of the stream carries.
enum class StreamMessage : std::uint8_t { Begin = 1, Site, Event, Snapshot, Schedule, Digest, End, Choices, Heap };

// The encoders replace out's contents with the message.
void encode_begin(const RunHeader& header, std::string& out);
void encode_site(const NewSite& site, std::string& out);
// encode_event() encodes an event given as its record.
void encode_event(std::string_view record, std::string& out);
void encode_snapshot(const NewSnapshot& snapshot, std::string& out);
void encode_schedule(const ScheduleChunk& chunk, std::string& out);
void encode_digest(const ChunkDigest& digest, std::string& out);
void encode_end(const RunEnd& end, std::string& out);

// message_kind() is message's kind; throws StorageError for an empty
// message or an unknown kind.
StreamMessage message_kind(std::string_view message);
RunHeader decode_begin(std::string_view message);
NewSite decode_site(std::string_view message);
// decode_event() appends the event's record to batch and returns it, its
// views pointing into message.
EventRecord decode_event(std::string_view message, EventBatch& batch);
NewSnapshot decode_snapshot(std::string_view message);
ScheduleChunk decode_schedule(std::string_view message);
void encode_choices_message(std::span<const Choice> choices, std::string& out);
// decode_choices_message() appends a Choices message's decisions to out.
void decode_choices_message(std::string_view message, std::vector<Choice>& out);
ChunkDigest decode_digest(std::string_view message);
void encode_heap(std::uint64_t seq, std::span<const heap::Delta> deltas, std::string& out);
// decode_heap() sets seq and appends the message's deltas to out.
void decode_heap(std::string_view message, std::uint64_t& seq, std::vector<heap::Delta>& out);
RunEnd decode_end(std::string_view message);

}  // namespace gorewind::storage
