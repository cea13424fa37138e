#include "event_chunk_writer.hpp"

namespace gorewind::storage {

EventChunkWriter::EventChunkWriter(Database& db)
    : insert_(db.prepare("INSERT INTO event_chunks (run, first_seq, last_seq, checksum, data) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)")) {}

void EventChunkWriter::add(std::int64_t run, const EventRecord& e) {
  const std::size_t n = chunk_.events();
  if (n != 0 && (run != run_ || e.seq != first_seq_ + n || (e.seq - 1) % kChunkEvents == 0)) flush();
  if (chunk_.events() == 0) {
    run_ = run;
    first_seq_ = e.seq;
  }
  chunk_.add(e);
}

void EventChunkWriter::flush() {
  if (chunk_.events() == 0) return;
  const std::string_view data = chunk_.bytes();
  insert_.bind_int(1, run_);
  insert_.bind_int(2, static_cast<std::int64_t>(first_seq_));
  insert_.bind_int(3, static_cast<std::int64_t>(first_seq_ + chunk_.events() - 1));
  insert_.bind_int(4, chunk_checksum(data));
  insert_.bind_blob(5, data);
  insert_.step();
  insert_.reset();
  chunk_.clear();
}

}  // namespace gorewind::storage
