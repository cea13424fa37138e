// event_log_reader.hpp: reads runs, events, snapshots, chunk digests and output back
// from the event log. Events stream from a cursor in seq order: a run is
// never loaded into memory as a whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/schedule_script.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/output_chunk.hpp>
#include <gorewind/storage/run_row.hpp>
#include <gorewind/storage/stored_event.hpp>

namespace gorewind::storage {

// EventFilter selects a run's events; every field set must match.
struct EventFilter {
  std::optional<Gid> goroutine;
  std::optional<std::string> channel;  // a channel's name or its id, in decimal
  std::optional<EventKind> kind;
  std::uint64_t from = 0;  // first seq
  std::uint64_t to = UINT64_MAX;  // last seq
};

// EventCursor walks the selected events in seq order. It holds a read
// transaction of its own while it lives, so it sees one consistent log even
// while another process writes.
class EventCursor {
 public:
  // EventCursor() walks st's rows, the events of run in the log at path.
  EventCursor(Statement st, std::int64_t run, std::string path)
      : st_(std::move(st)), run_(run), path_(std::move(path)) {}
  // next() fills out with the next event; false at the end. Throws
  // StorageError, naming the run and the seq, for a seq that is not a
  // positive integer (a damaged file).
  bool next(StoredEvent& out);

 private:
  Statement st_;
  std::int64_t run_;
  std::string path_;
};

class EventLogReader {
 public:
  // EventLogReader() opens an existing log. Throws StorageError when path is
  // missing, not SQLite, not an event log, or of a newer schema.
  explicit EventLogReader(const std::string& path);

  // runs() lists every run, oldest first.
  std::vector<RunRow> runs();
  // run() is the run with this id; throws StorageError for an unknown id.
  RunRow run(std::int64_t id);
  // events() streams run's events that match filter. Throws StorageError
  // for an unknown run, a goroutine or channel the run does not have
  // (naming those it has), or an event of the run with a damaged seq.
  EventCursor events(std::int64_t run, const EventFilter& filter = {});
  // snapshot_at() is the latest snapshot of run at or before seq, decoded;
  // nullopt when there is none.
  std::optional<RuntimeState> snapshot_at(std::int64_t run, std::uint64_t seq);
  // schedule() is run's decisions in order, as RecordingStrategy kept them;
  // nullopt when the run stored none (recorded without them, by a build
  // before schema 2, or not finished). Throws StorageError for an unknown
  // run.
  std::optional<std::vector<Choice>> schedule(std::int64_t run);
  // chunk_digests() are the run's chunk digests in chunk order, as hex.
  std::vector<std::string> chunk_digests(std::int64_t run);
  // output() is what run's program printed, chunk by chunk in the order it
  // was read; empty for a run recorded without a supervisor or before
  // schema 6. Throws StorageError for an unknown run or a damaged row.
  std::vector<OutputChunk> output(std::int64_t run);

  Database& database() { return db_; }

 private:
  RunRow read_run(Statement& st);
  // check_seqs() throws StorageError, naming the run and the seq, when one
  // of the run's events has a seq below 1 or one that is not a number (a
  // damaged file).
  void check_seqs(std::int64_t run);
  void read_params(RunRow& r);
  Database db_;
};

}  // namespace gorewind::storage
