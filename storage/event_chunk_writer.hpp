// event_chunk_writer.hpp: stores events as rows of the event_chunks table,
// for the batch writer and for the conversions of older logs' event rows.
#pragma once

#include <cstdint>

#include <gorewind/storage/database.hpp>

#include "event_chunk.hpp"

namespace gorewind::storage {

class EventChunkWriter {
 public:
  // EventChunkWriter() prepares its insert on db, which must outlive it.
  explicit EventChunkWriter(Database& db);
  // add() appends e, an event of run, to the chunk being built. That chunk
  // is stored first when e cannot join it: another run, a seq that does not
  // follow, or the start of the next kChunkEvents.
  void add(std::int64_t run, const EventRecord& e);
  // flush() stores the chunk being built, if any (in the caller's
  // transaction).
  void flush();

 private:
  Statement insert_;
  EventChunkEncoder chunk_;
  std::int64_t run_ = 0;
  std::uint64_t first_seq_ = 0;
};

}  // namespace gorewind::storage
