// recorder.hpp: the observer that records a run into the event log.
//
//   gr::record::Recorder recorder("gorewind.db");
//   gr::RunOptions options;
//   options.observers = {&recorder};
//   gr::RunResult r = gr::run(body, options);
//   gr::record::RecordedRun saved = recorder.finish();  // throws StorageError
//
// Every event goes to the log (events, and from them the goroutines and
// objects tables), a snapshot of the runtime state every snapshot_every
// events and one at the end, the chunk digests, and the run row with the
// outcome and the trace hash. The snapshots come from a StateBuilder fed
// the events the Recorder is given: it never asks the runtime for its state
// and never reads the log it writes. One Recorder records one run at a time; it may
// record several runs one after another.
//
// In a supervised run's child, the Recorder is constructed with a LogSink
// instead of a path: it has no database, and every step goes as a message to
// the sink (a shared ring), for a storage::LogStreamWriter in the parent to
// write; the parent also stores the closing snapshot.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/heap_counter.hpp>
#include <gorewind/observer.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/state.hpp>
#include <gorewind/trace_hasher.hpp>
#include <gorewind/storage/event_log_writer.hpp>

namespace gorewind::record {

// RecordedRun is what finish() reports about the run just recorded.
struct RecordedRun {
  std::int64_t id = 0;
  std::uint64_t events = 0;
  std::string trace_hash;  // TraceHasher::hex() of the run
  storage::WriterStats stats;
};

class Recorder final : public Observer {
 public:
  struct Config {
    // snapshot_every is the number of events between state snapshots; 0
    // takes only the one at the end.
    std::uint64_t snapshot_every = 10000;
    storage::EventLogWriter::Config writer;
    // heap counts the program's allocations (heap_counter.hpp) by goroutine
    // and call site, sent with each event: a streaming Recorder's only.
    bool heap = false;
  };

  // Recorder() opens (creating if needed) the log at db_path. Throws
  // storage::StorageError, and Error for config.heap.
  Recorder(const std::string& db_path, Config config);
  explicit Recorder(const std::string& db_path) : Recorder(db_path, Config{}) {}
  // Recorder() streams runs to sink, which must outlive the Recorder; its
  // finish() reports run id 0 (the id is the receiving side's).
  Recorder(storage::LogSink& sink, Config config);

  void on_run_begin(const RunInfo& info) override;
  void on_event(const Event& e) override;
  void on_run_end(const RunResult& r) override;

  // keep_schedule_of() stores with each run the decisions strategy makes
  // (its schedule, for replay), each full chunk as soon as it is made, then
  // forgotten by strategy; without it no schedule is stored. strategy must
  // outlive the runs recorded; null stops keeping.
  void keep_schedule_of(RecordingStrategy* strategy) { schedule_of_ = strategy; }

  // finish() returns the recorded run once gr::run() has returned, or
  // throws the storage::StorageError that stopped the recording (the run
  // then reads as incomplete).
  RecordedRun finish();

  // trace_hash() is TraceHasher::hash() over the run's events so far.
  std::uint64_t trace_hash() const { return writer_.hasher().hash(); }
  // hasher() is the digest itself (the writer's, which makes the chunk
  // digests too), which a supervisor's crash handler reads in the child.
  const TraceHasher& hasher() const { return writer_.hasher(); }

 private:
  // fail() keeps the first error; observers must not throw into the runtime.
  void fail() noexcept;
  // take_heap() streams the heap counts made by event seq.
  void take_heap(std::uint64_t seq) noexcept;

  Config config_;
  storage::EventLogWriter writer_;
  StateBuilder state_;  // the state after the last event, for the snapshots
  std::int64_t run_ = 0;
  bool recording_ = false;  // a run began and its writer took it
  std::uint64_t last_seq_ = 0;
  std::exception_ptr error_;
  RecordingStrategy* schedule_of_ = nullptr;
  std::vector<heap::Delta> heap_;  // reused by take_heap()
};

}  // namespace gorewind::record
