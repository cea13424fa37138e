// batch_writer.hpp: the database side of EventLogWriter: one connection, its
// prepared statements, and one transaction per batch, whose events go into
// chunks (event_chunks) and whose new sites into the run's run_sites. It
// also derives the goroutines and objects tables from the Spawn and Make
// events it writes.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_writer.hpp>

#include "event_batch.hpp"
#include "event_chunk_writer.hpp"

namespace gorewind::storage {

class BatchWriter {
 public:
  explicit BatchWriter(const std::string& path);

  // begin_run() inserts the run row (state recording) and its parameters,
  // and marks runs whose writer died incomplete. Returns the run's id.
  std::int64_t begin_run(const RunHeader& header);
  // write() stores a batch of the current run in one transaction, adding
  // the time it took to stats.
  void write(const EventBatch& batch, WriterStats& stats);
  // finish() completes the run row; the schedule's first chunks_before
  // chunks came in batches before.
  void finish(const RunEnd& end, std::uint64_t chunks_before);

 private:
  struct Spawned {
    std::string path;
    std::uint32_t children = 0;
  };
  std::int64_t site_id(const NewSite& s);
  // insert() adds one event to the chunk being built and writes what it
  // derives.
  void insert(const EventRecord& e);
  void derive(const EventRecord& e, std::int64_t site);
  // known_site() is the sites table's id for the writer's site number (0:
  // the runtime); throws StorageError for a number no batch has brought.
  std::int64_t known_site(SiteNumber site) const;
  void mark_dead_writers_incomplete();
  // write_schedule() stores the run's last decisions as chunks first_chunk
  // on, inside finish()'s transaction.
  void write_schedule(const std::vector<Choice>& schedule, std::uint64_t first_chunk);
  // insert_schedule() stores one encoded chunk of the run's schedule.
  void insert_schedule(std::uint64_t chunk, std::uint64_t choices, std::string_view data);

  Database db_;
  EventChunkWriter chunks_;
  Statement insert_run_site_;
  Statement insert_site_;
  Statement select_site_;
  Statement insert_goroutine_;
  Statement insert_object_;
  Statement insert_digest_;
  Statement insert_snapshot_;
  Statement insert_schedule_;
  Statement insert_output_;
  Statement insert_heap_;
  Statement insert_heap_site_;
  std::int64_t run_ = 0;
  std::int64_t output_chunks_ = 0;  // the run's output chunks written so far
  std::vector<std::int64_t> site_ids_;  // by the caller's site number
  std::unordered_map<std::uint32_t, Spawned> spawned_;
};

}  // namespace gorewind::storage
