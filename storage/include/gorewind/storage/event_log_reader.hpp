// event_log_reader.hpp: reads runs, events, snapshots, chunk digests and output back
// from the event log; the closed query API over it. Events stream from a
// cursor in the order an EventQuery asks for: a run is never loaded into
// memory as a whole. What the tools need beyond events (a run's goroutines
// and objects, the waits its profiles sum) comes as rows of its own; no
// SQL crosses this interface.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/schedule_script.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_query.hpp>
#include <gorewind/storage/heap_rows.hpp>
#include <gorewind/storage/output_chunk.hpp>
#include <gorewind/storage/run_row.hpp>
#include <gorewind/storage/stored_event.hpp>

namespace gorewind::storage {

// GoroutineRow is one goroutine of a run, as the goroutines table holds it.
struct GoroutineRow {
  Gid gid = 0;
  std::string name;
  std::string path;  // spawn path: "1" main, "1.2" main's second goroutine
};

// ObjectRow is one object (channel, mutex, ...) made in a run.
struct ObjectRow {
  std::uint32_t id = 0;
  ObjKind kind = ObjKind::None;
  std::string name;
  Gid maker = 0;  // the goroutine of its Make event (0: none stored)
};

// WaitRow is one group of a wait profile: the waits (a park up to the
// goroutine's next wake, or up to the seq profiled when still open) that
// share the group's keys, or a single wait.
struct WaitRow {
  std::int64_t vtime_ns = 0;  // virtual time spent waiting
  std::int64_t events = 0;    // events that happened meanwhile
  std::int64_t waits = 0;
  std::int64_t open = 0;      // waits not over at the seq profiled
  std::vector<std::string> keys;
  std::uint64_t park_seq = 0;  // the (first) wait's park event
  Gid gid = 0;                 // the goroutine that parked there
};

// LatencyRow is one scheduling latency of a run (the sched_latency view):
// a goroutine runnable from one event to the switch that ran it.
struct LatencyRow {
  Gid gid = 0;
  std::string became;            // what made it runnable: spawn, wake, yield, preempt
  std::uint64_t runnable_seq = 0;
  std::uint64_t seq = 0;         // the switch
  std::int32_t p = -1, m = -1;   // the switch's P and M; -1 in gorewind's own model
  std::int64_t latency_ns = 0;
  std::string site;              // the goroutine's creation site, "file:line"; "" for main
};

// WaitGrouping says whether a wait profile sums its waits by their keys or
// lists each wait on its own (a pprof profile's samples, each with its stack).
enum class WaitGrouping { ByKeys, EachWait };

// EventCursor walks the selected events in seq order. It holds a read
// transaction of its own while it lives, so it sees one consistent log even
// while another process writes.
class EventCursor {
 public:
  // EventCursor() walks st's rows, the events of run in the log at path;
  // it keeps params (what st's parameters were bound to) alive as long.
  EventCursor(Statement st, std::int64_t run, std::string path, std::shared_ptr<const void> params = {})
      : params_(std::move(params)), st_(std::move(st)), run_(run), path_(std::move(path)) {}
  // next() fills out with the next event; false at the end. Throws
  // StorageError, naming the run and the seq, for a seq that is not a
  // positive integer (a damaged file).
  bool next(StoredEvent& out);

 private:
  std::shared_ptr<const void> params_;
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
  // events() streams the events q selects, in q's direction. Throws
  // StorageError for an unknown run, a goroutine or object name the run
  // does not have (naming those it has), or an event of the run with a
  // damaged seq.
  EventCursor events(const EventQuery& q);
  // events(run) streams every event of run in seq order.
  EventCursor events(std::int64_t run) { return events(EventQuery(run)); }
  // first() is the first event q selects in q's direction; nullopt when
  // none does. Unlike events(), a goroutine or object the run lacks is no
  // error (a breakpoint may name one that never occurs): nothing matches.
  std::optional<StoredEvent> first(const EventQuery& q);
  // count() is how many events q selects (no error for what the run lacks).
  std::uint64_t count(const EventQuery& q);
  // count_by_goroutine() is count() per goroutine, for goroutines with any.
  std::map<Gid, std::uint64_t> count_by_goroutine(const EventQuery& q);
  // has_site() says whether any run of the log has an event at site.
  bool has_site(const SiteSelector& site);

  // goroutines() are run's goroutines (not the runtime, g0) by gid.
  std::vector<GoroutineRow> goroutines(std::int64_t run);
  // objects() are run's objects by id.
  std::vector<ObjectRow> objects(std::int64_t run);
  // block_waits() are run's waits up to seq at, grouped by wait reason,
  // object and site; keys: reason, object name, "file:line" (""s when
  // none). Heaviest first (vtime_ns, then events), ties in key order.
  std::vector<WaitRow> block_waits(std::int64_t run, std::uint64_t at,
                                  WaitGrouping grouping = WaitGrouping::ByKeys);
  // mutex_waits() are run's Mutex and RWMutex waits up to seq at, grouped
  // by lock, reason, waiting site and the site of the unlock that woke the
  // waiter; keys: lock name, reason, "file:line", unlock's "file:line".
  std::vector<WaitRow> mutex_waits(std::int64_t run, std::uint64_t at,
                                  WaitGrouping grouping = WaitGrouping::ByKeys);

  // snapshot_at() is the latest snapshot of run at or before seq, decoded;
  // nullopt when there is none.
  std::optional<RuntimeState> snapshot_at(std::int64_t run, std::uint64_t seq);
  // state_at() is run's state right after event seq, from the latest
  // snapshot at or before it and the events since (none stored: the state
  // of an empty run). Throws StorageError for an unreadable log.
  RuntimeState state_at(std::int64_t run, std::uint64_t seq);
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
  // heap_rows() is run's heap profile right after event seq: per goroutine
  // and heap site with any, what it allocated and what of that is still
  // in use, in (gid, site) order; empty for a run recorded without --heap.
  std::vector<HeapRow> heap_rows(std::int64_t run, std::uint64_t at);
  // heap_sites() are run's heap sites by number (1, 2, ...), each named by
  // its frames.
  std::vector<HeapSite> heap_sites(std::int64_t run);
  // sched_latencies() are run's scheduling latencies that ended by seq at,
  // in seq order.
  std::vector<LatencyRow> sched_latencies(std::int64_t run, std::uint64_t at);

 private:
  RunRow read_run(Statement& st);
  // check_seqs() throws StorageError, naming the run and the seq, when one
  // of the run's events has a seq below 1 or one that is not a number (a
  // damaged file).
  void check_seqs(std::int64_t run);
  void read_params(RunRow& r);
  // check_names() throws StorageError for a goroutine or object name of q
  // that q's run does not have.
  void check_names(const EventQuery& q);
  std::vector<WaitRow> wait_rows(std::int64_t run, std::uint64_t at, const std::string& sql, int keys);
  Database db_;
  int version_;  // the log's schema version
};

}  // namespace gorewind::storage
