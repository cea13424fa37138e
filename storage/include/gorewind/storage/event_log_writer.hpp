// event_log_writer.hpp: appends runs to the event log.
//
// One writer records one run at a time: begin_run() stores the run row (state
// recording) and returns its id, append() takes every event in seq order,
// add_snapshot() a state snapshot, finish_run() the outcome. The calling
// (scheduler) thread only copies each event into a compact batch; full
// batches are written by a thread of the writer's own (Threading::Background)
// or by the caller (Threading::Synchronous: no thread, for processes that
// will fork). Or, constructed with a LogSink, the writer has no database:
// it streams every step as a message to the sink, for a LogStreamWriter in
// another process to write (a supervised run's child). Each batch is one transaction (BEGIN IMMEDIATE, prepared
// statements), so a process killed at any moment leaves the file consistent
// and every earlier run intact; its run reads as incomplete. Several
// processes may write runs into one file at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/heap_counter.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/race.hpp>
#include <gorewind/site.hpp>
#include <gorewind/trace_hasher.hpp>
#include <gorewind/storage/log_sink.hpp>
#include <gorewind/storage/value_codec.hpp>

namespace gorewind::storage {

struct EventBatch;
class BatchWriter;

// kDigestChunk is how many events one chunk digest covers.
inline constexpr std::uint64_t kDigestChunk = TraceHasher::kChunkEvents;

// kScheduleChunk is how many decisions one row of the schedules table holds.
inline constexpr std::size_t kScheduleChunk = 65536;

// RunHeader is what a run row holds from its start.
struct RunHeader {
  std::string scenario;
  std::map<std::string, std::string> params;
  std::uint64_t seed = 0;
  std::string strategy;
  std::string build;    // fingerprint of the recording binary
  std::string program;  // the recording executable's name, without its directory
  RaceMode race_mode = RaceMode::First;
  bool heap = false;  // the run's allocations are counted (add_heap())
  unsigned procs = 0;  // RunOptions::procs
  std::int64_t cpu_cost_ns = 0;  // RunOptions::cpu_cost_ns
};

// RunEnd is what a finished run adds to its row.
struct RunEnd {
  std::string outcome;
  std::string message;
  Gid failed_gid = 0;
  Site failed_site;
  std::uint64_t events = 0;
  std::int64_t vtime_ns = 0;
  std::string trace_hash;
  // schedule is the run's decisions after those add_schedule_chunk() has
  // stored, written in the same transaction as the outcome; nullopt when the
  // recording did not keep them.
  std::optional<std::vector<Choice>> schedule;
};

// WriterStats says where a recording's time went, in nanoseconds of wall
// clock: the caller's share (copying events, waiting for a free batch when
// the writer falls behind) and the writing side's (binding and stepping
// inserts, committing).
struct WriterStats {
  std::uint64_t events = 0;
  std::uint64_t batches = 0;
  std::uint64_t caller_wait_ns = 0;  // the scheduler thread blocked on a full queue
  std::uint64_t insert_ns = 0;       // rows bound and stepped
  std::uint64_t commit_ns = 0;       // BEGIN and COMMIT
};

class EventLogWriter {
 public:
  enum class Threading { Background, Synchronous };
  struct Config {
    Threading threading = Threading::Background;
    // batch_events is how many events one transaction holds.
    std::size_t batch_events = 8192;
    // batches_in_flight bounds the memory of a writer that falls behind:
    // append() waits once this many full batches are queued.
    std::size_t batches_in_flight = 4;
  };

  // EventLogWriter() opens (creating if needed) the log at path. Throws
  // StorageError.
  EventLogWriter(const std::string& path, Config config);
  explicit EventLogWriter(const std::string& path) : EventLogWriter(path, Config{}) {}
  // EventLogWriter() streams runs to sink (config.threading is moot: the
  // caller puts each message), which must outlive the writer. Each step's
  // messages are put before the step returns, so every event append()ed
  // reaches the other side whatever happens to this process afterwards.
  EventLogWriter(LogSink& sink, Config config);
  // ~EventLogWriter() stops a run that was not finished: what was written
  // stays, and the run reads as incomplete once this process has exited.
  ~EventLogWriter();
  EventLogWriter(const EventLogWriter&) = delete;
  EventLogWriter& operator=(const EventLogWriter&) = delete;

  // begin_run() stores the run row and returns the run's id. Runs of other
  // processes left recording by a dead writer are marked incomplete. A
  // streaming writer returns 0: the id is the receiving side's.
  std::int64_t begin_run(const RunHeader& header);
  // append() records e, the next event of the run. It never throws (it is
  // called from inside the runtime): a failure to write is kept, later
  // events are dropped, and finish_run() throws it.
  void append(const Event& e) noexcept;
  // hasher() is the run's trace hash over the events appended so far: the
  // writer hashes each event once, for the run and for its chunk digests.
  const TraceHasher& hasher() const { return hasher_; }
  // add_snapshot() records the encoded state right after event seq.
  void add_snapshot(std::uint64_t seq, std::string state) noexcept;
  // add_schedule_chunk() stores the run's next kScheduleChunk decisions
  // (fewer only in the run's last chunk, which finish_run() writes), so a
  // long run's schedule need not wait in memory for the run's end.
  void add_schedule_chunk(std::span<const Choice> choices) noexcept;
  // add_choices() streams the decisions made since the last call (a
  // streaming writer only): the receiving side chunks them, so a run cut by
  // its producer's death keeps its schedule up to there.
  void add_choices(std::span<const Choice> choices) noexcept;
  // add_heap() streams the heap counts made by event seq (a streaming
  // writer only, whose receiving side names the call sites).
  void add_heap(std::uint64_t seq, std::span<const heap::Delta> deltas) noexcept;
  // flush() returns once every event appended so far is committed, so that
  // a reader sees them (streaming: put). It never throws; finish_run()
  // reports failures.
  void flush() noexcept;
  // finish_run() writes what is left and completes the run row. Throws
  // StorageError when anything of the run could not be written. A
  // streaming writer puts the end; the receiving side adds the closing
  // snapshot when the run's last event has none.
  void finish_run(const RunEnd& end);

  const WriterStats& stats() const { return stats_; }
  // streams() is true for a writer constructed with a LogSink.
  bool streams() const { return sink_ != nullptr; }

 private:
  struct SiteKey {
    const char* file;
    const char* function;
    unsigned line;
    friend bool operator==(const SiteKey&, const SiteKey&) = default;
  };
  struct SiteKeyHash {
    std::size_t operator()(const SiteKey& k) const noexcept;
  };

  std::uint32_t site_of(const std::source_location& loc);
  void hand_over() noexcept;
  // stream() puts batch's contents to the sink, one message each.
  void stream(const EventBatch& batch);
  void writer_loop();
  void record_failure() noexcept;

  Config config_;
  std::unique_ptr<BatchWriter> out_;  // null when streaming
  LogSink* sink_ = nullptr;           // set when streaming
  std::string message_;               // the message being put, reused
  std::int64_t run_ = 0;
  WriterStats stats_;

  // The caller's side: the batch being filled and what it has seen.
  std::unique_ptr<EventBatch> filling_;
  ValueEncoder encoder_;
  std::unordered_map<SiteKey, std::uint32_t, SiteKeyHash> sites_;
  SiteKey last_site_{nullptr, nullptr, 0};
  std::uint32_t last_site_id_ = 0;
  TraceHasher hasher_;
  std::uint64_t last_seq_ = 0;
  std::uint64_t schedule_chunks_ = 0;  // chunks add_schedule_chunk() has queued

  // The hand-over between the caller and the writing thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<EventBatch>> full_;  // queued, oldest first
  std::vector<std::unique_ptr<EventBatch>> free_;
  std::size_t writing_ = 0;  // batches handed over and not yet written
  bool closing_ = false;
  std::exception_ptr error_;
  std::atomic<bool> failed_{false};
  std::thread thread_;
};

}  // namespace gorewind::storage
