// log_stream_writer.hpp: the receiving end of a streamed recording: writes
// into the log what a streaming EventLogWriter (constructed with a LogSink)
// put, message by message, typically in the parent of the process that ran
// the program.
//
//   storage::LogStreamWriter log("gorewind.db");
//   while (auto m = ring.next(100ms)) log.apply(*m);   // the child lives
//   if (!log.finished()) log.cut(RunCut{"crash", "SIGSEGV", gid, {}, hash});
//
// A LogStreamWriter writes one run: its stream's messages from Begin on.
// Events are written in batches of config.batch_events, one transaction
// each, as EventLogWriter writes them, so a streamed run's rows equal those
// of the same run recorded in process. When the producer dies before its
// end, cut() writes what arrived, adds one Crash event after the last and
// completes the run with the outcome it is given. What the program printed
// does not come through the stream: its reader hands it to add_output().
// A run recorded with --heap streams its heap counts by call site, as
// return addresses of the producer's; they are numbered per run in order
// of first use and named once, at the run's end, by the Config's namer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/heap_counter.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/site.hpp>
#include <gorewind/storage/event_log_writer.hpp>
#include <gorewind/storage/output_chunk.hpp>

namespace gorewind::storage {

struct EventBatch;
class BatchWriter;

// RunCut is how a run whose program died before its end is completed.
struct RunCut {
  std::string outcome;     // the run's outcome: "crash", "timeout"
  std::string message;     // the run's message and the Crash event's text: what killed it
  Gid gid = 0;             // the goroutine that was running: the Crash event's and the run's
  Site site;               // the run's failed site (empty: unknown)
  std::string trace_hash;  // TraceHasher::hex() over the events the program made
};

class LogStreamWriter {
 public:
  // HeapSiteNamer names return addresses of the producing process (this
  // process's own when it forked the producer): the frames of each, the
  // call first, then the functions it was inlined into.
  using HeapSiteNamer = std::function<std::vector<std::vector<Frame>>(const std::vector<std::uintptr_t>&)>;

  struct Config {
    // batch_events is how many events one transaction holds.
    std::size_t batch_events = 8192;
    // name_heap_sites names a --heap run's call sites; without it, or
    // where it has no frames, a site is named "??".
    HeapSiteNamer name_heap_sites;
  };

  // LogStreamWriter() opens (creating if needed) the log at path. Throws
  // StorageError.
  LogStreamWriter(const std::string& path, Config config);
  explicit LogStreamWriter(const std::string& path) : LogStreamWriter(path, Config{}) {}
  ~LogStreamWriter();
  LogStreamWriter(const LogStreamWriter&) = delete;
  LogStreamWriter& operator=(const LogStreamWriter&) = delete;

  // apply() takes the stream's next message: the run's start stores the run
  // row, events gather into batches, the end writes what is left, the
  // closing snapshot when the last event has none, and completes the run.
  // Throws StorageError for a message that is not part of the stream at
  // this point or that the log could not take.
  void apply(std::string_view message);

  // run_id() is the run's id once its start was applied; 0 before.
  std::int64_t run_id() const { return run_; }
  // finished() is true once the run's end was applied, or it was cut.
  bool finished() const { return finished_; }
  // end() is the run's end as its row now holds it (without the schedule),
  // once finished().
  const RunEnd& end() const { return end_; }
  // last_seq() is the seq of the last event applied (0: none).
  std::uint64_t last_seq() const { return last_seq_; }

  // add_output() keeps a chunk of what the program printed, with the run.
  // It is written with the next batch of events, or at once when the run
  // has finished (output read after the run's end is still the run's).
  // Chunks given before the run began are written once it has; the run
  // never beginning, they are dropped. Throws StorageError when the log
  // could not take them.
  void add_output(OutputChunk chunk);

  // cut() completes a run whose producer died before its end: it writes
  // the events that arrived, appends one EventKind::Crash event at seq
  // last_seq() + 1 (gid and text from how, at the last event's virtual
  // time), a closing snapshot, and completes the run row with how's outcome,
  // message, goroutine, site and trace hash. Throws StorageError when no run
  // began, the run already finished, or the log could not take it.
  void cut(const RunCut& how);

  const WriterStats& stats() const { return stats_; }

 private:
  void write_batch();
  // close() writes the closing snapshot if need be, then the run row.
  void close(RunEnd end);

  Config config_;
  std::unique_ptr<BatchWriter> out_;
  std::unique_ptr<EventBatch> batch_;
  WriterStats stats_;
  std::string path_;
  std::int64_t run_ = 0;
  bool finished_ = false;
  RunEnd end_;
  std::uint64_t last_seq_ = 0;
  std::int64_t last_vtime_ns_ = 0;
  std::size_t output_bytes_ = 0;      // bytes of output waiting in the batch
  std::uint64_t last_snapshot_ = 0;  // seq of the latest snapshot applied (0: none)
  std::uint64_t schedule_chunks_ = 0;
  std::vector<Choice> pending_choices_;  // decisions streamed and not yet in a chunk
  std::unordered_map<std::uintptr_t, std::uint32_t> heap_numbers_;  // a heap site's number, by address
  std::vector<std::uintptr_t> heap_sites_;  // the addresses, by number - 1
  std::vector<heap::Delta> heap_in_;        // the message being taken, reused
};

}  // namespace gorewind::storage
