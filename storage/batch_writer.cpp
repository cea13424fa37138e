#include "batch_writer.hpp"

#include <algorithm>
#include <ctime>
#include <span>

#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>
#include <gorewind/storage/writer_liveness.hpp>
#include <gorewind/trace_hasher.hpp>

#include <gorewind/storage/schedule_codec.hpp>
#include "steady_clock_ns.hpp"

namespace gorewind::storage {
namespace {

// utc_now() is the wall clock as ISO 8601, for people reading the runs table.
std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Transaction commits on commit() and rolls back otherwise (an exception).
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (const StorageError&) {
        // The failure that brought us here is the one to report.
      }
    }
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace

BatchWriter::BatchWriter(const std::string& path)
    : db_(open_log(path, Database::Mode::CreateIfMissing)),
      chunks_(db_),
      insert_run_site_(db_.prepare("INSERT INTO run_sites (run, number, site) VALUES (?1, ?2, ?3)")),
      insert_site_(db_.prepare("INSERT OR IGNORE INTO sites (file, line, function) VALUES (?1, ?2, ?3)")),
      select_site_(db_.prepare("SELECT id FROM sites WHERE file = ?1 AND line = ?2 AND function = ?3")),
      insert_goroutine_(db_.prepare("INSERT OR REPLACE INTO goroutines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")),
      insert_object_(db_.prepare("INSERT OR REPLACE INTO objects VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")),
      insert_digest_(db_.prepare("INSERT OR REPLACE INTO chunk_digests VALUES (?1, ?2, ?3)")),
      insert_snapshot_(db_.prepare("INSERT OR REPLACE INTO snapshots VALUES (?1, ?2, ?3)")),
      insert_schedule_(db_.prepare("INSERT OR REPLACE INTO schedules VALUES (?1, ?2, ?3, ?4)")),
      insert_output_(db_.prepare("INSERT INTO output (run, chunk, seq, stream, bytes) VALUES (?1, ?2, ?3, ?4, ?5)")),
      // A pair's counts from the run's last event and from its end share a seq.
      insert_heap_(db_.prepare(
          "INSERT INTO heap VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (run, seq, gid, heap_site) DO UPDATE "
          "SET alloc_objects = alloc_objects + excluded.alloc_objects, alloc_bytes = alloc_bytes + "
          "excluded.alloc_bytes, free_objects = free_objects + excluded.free_objects, free_bytes = free_bytes + "
          "excluded.free_bytes")),
      insert_heap_site_(db_.prepare("INSERT INTO heap_sites VALUES (?1, ?2, ?3, ?4)")) {}

void BatchWriter::mark_dead_writers_incomplete() {
  Statement recording = db_.prepare("SELECT id, writer_pid, writer_start FROM runs WHERE state = 'recording'");
  std::vector<std::int64_t> dead;
  while (recording.step())
    if (!writer_alive(WriterId{recording.column_int(1), recording.column_int(2)}))
      dead.push_back(recording.column_int(0));
  Statement mark = db_.prepare("UPDATE runs SET state = 'incomplete' WHERE id = ?1 AND state = 'recording'");
  for (std::int64_t id : dead) {
    mark.bind_int(1, id);
    mark.step();
    mark.reset();
  }
}

std::int64_t BatchWriter::begin_run(const RunHeader& h) {
  Transaction tx(db_);
  mark_dead_writers_incomplete();
  const WriterId me = current_writer();
  Statement run = db_.prepare(
      "INSERT INTO runs (scenario, seed, strategy, build, started_at, state, writer_pid, writer_start, program, "
      "race_mode, hash_algorithm, heap, procs, cpu_cost) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'recording', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  const std::string started = utc_now();
  run.bind_text(1, h.scenario);
  run.bind_int(2, static_cast<std::int64_t>(h.seed));
  run.bind_text(3, h.strategy);
  run.bind_text(4, h.build);
  run.bind_text(5, started);
  run.bind_int(6, me.pid);
  run.bind_int(7, me.start);
  run.bind_text(8, h.program);
  run.bind_text(9, to_string(h.race_mode));
  run.bind_text(10, TraceHasher::kAlgorithm);
  run.bind_int(11, h.heap ? 1 : 0);
  run.bind_int(12, h.procs);
  run.bind_int(13, h.cpu_cost_ns);
  run.step();
  run_ = db_.last_insert_rowid();
  Statement param = db_.prepare("INSERT INTO run_params VALUES (?1, ?2, ?3)");
  for (const auto& [k, v] : h.params) {
    param.bind_int(1, run_);
    param.bind_text(2, k);
    param.bind_text(3, v);
    param.step();
    param.reset();
  }
  tx.commit();
  spawned_.clear();
  output_chunks_ = 0;
  return run_;
}

std::int64_t BatchWriter::site_id(const NewSite& s) {
  insert_site_.bind_text(1, s.file);
  insert_site_.bind_int(2, s.line);
  insert_site_.bind_text(3, s.function);
  insert_site_.step();
  insert_site_.reset();
  select_site_.bind_text(1, s.file);
  select_site_.bind_int(2, s.line);
  select_site_.bind_text(3, s.function);
  if (!select_site_.step()) throw StorageError("a site vanished from the log");
  const std::int64_t id = select_site_.column_int(0);
  select_site_.reset();
  return id;
}

std::int64_t BatchWriter::known_site(SiteNumber site) const {
  if (site.number == 0) return 0;
  if (site.number >= site_ids_.size() || site_ids_[site.number] == 0)
    throw StorageError("an event names site " + std::to_string(site.number) + ", which came before it in no batch");
  return site_ids_[site.number];
}

void BatchWriter::insert(const EventRecord& e) {
  const std::int64_t site = known_site(e.site);
  chunks_.add(run_, e);
  if (e.kind == EventKind::Spawn || e.kind == EventKind::Make) derive(e, site);
}

void BatchWriter::derive(const EventRecord& e, std::int64_t site) {
  if (e.kind == EventKind::Spawn) {
    // A goroutine's identity across runs is its spawn path.
    std::string path;
    if (auto parent = spawned_.find(e.gid); parent != spawned_.end())
      path = parent->second.path + "." + std::to_string(++parent->second.children);
    else
      path = std::to_string(e.peer);
    insert_goroutine_.bind_int(1, run_);
    insert_goroutine_.bind_int(2, e.peer);
    insert_goroutine_.bind_text(3, e.text);
    insert_goroutine_.bind_int(4, e.gid);
    insert_goroutine_.bind_text(5, path);
    insert_goroutine_.bind_int(6, static_cast<std::int64_t>(e.seq));
    if (site) insert_goroutine_.bind_int(7, site);
    insert_goroutine_.step();
    insert_goroutine_.reset();
    spawned_[e.peer].path = std::move(path);
  } else if (e.kind == EventKind::Make) {
    insert_object_.bind_int(1, run_);
    insert_object_.bind_int(2, e.obj);
    insert_object_.bind_int(3, static_cast<std::int64_t>(e.obj_kind));
    insert_object_.bind_text(4, e.text);
    insert_object_.bind_int(5, e.amount);
    insert_object_.bind_text_or_null(6, e.type_name);
    insert_object_.bind_int(7, static_cast<std::int64_t>(e.seq));
    if (site) insert_object_.bind_int(8, site);
    insert_object_.step();
    insert_object_.reset();
  }
}

void BatchWriter::write(const EventBatch& batch, WriterStats& stats) {
  const std::uint64_t t0 = steady_clock_ns();
  Transaction tx(db_);
  for (const NewSite& s : batch.sites) {
    if (site_ids_.size() <= s.number) site_ids_.resize(s.number + 1);
    site_ids_[s.number] = site_id(s);
    insert_run_site_.bind_int(1, run_);
    insert_run_site_.bind_int(2, s.number);
    insert_run_site_.bind_int(3, site_ids_[s.number]);
    insert_run_site_.step();
    insert_run_site_.reset();
  }
  const std::uint64_t t1 = steady_clock_ns();
  batch.for_each_event([this](const EventRecord& e, std::string_view) { insert(e); });
  chunks_.flush();
  for (const ChunkDigest& d : batch.digests) {
    const std::string h = TraceHasher::hex_of(d.digest);
    insert_digest_.bind_int(1, run_);
    insert_digest_.bind_int(2, static_cast<std::int64_t>(d.chunk));
    insert_digest_.bind_text(3, h);
    insert_digest_.step();
    insert_digest_.reset();
  }
  for (const ScheduleChunk& c : batch.schedule) insert_schedule(c.chunk, c.choices, c.data);
  for (const NewSnapshot& s : batch.snapshots) {
    insert_snapshot_.bind_int(1, run_);
    insert_snapshot_.bind_int(2, static_cast<std::int64_t>(s.seq));
    insert_snapshot_.bind_blob(3, s.state);
    insert_snapshot_.step();
    insert_snapshot_.reset();
  }
  for (const OutputChunk& o : batch.output) {
    insert_output_.bind_int(1, run_);
    insert_output_.bind_int(2, output_chunks_++);
    insert_output_.bind_int(3, static_cast<std::int64_t>(o.seq));
    insert_output_.bind_text(4, to_string(o.stream));
    insert_output_.bind_blob(5, o.bytes);
    insert_output_.step();
    insert_output_.reset();
  }
  for (const HeapDelta& d : batch.heap) {
    insert_heap_.bind_int(1, run_);
    insert_heap_.bind_int(2, static_cast<std::int64_t>(d.seq));
    insert_heap_.bind_int(3, d.gid);
    insert_heap_.bind_int(4, d.site);
    insert_heap_.bind_int(5, d.alloc_objects);
    insert_heap_.bind_int(6, d.alloc_bytes);
    insert_heap_.bind_int(7, d.free_objects);
    insert_heap_.bind_int(8, d.free_bytes);
    insert_heap_.step();
    insert_heap_.reset();
  }
  for (const HeapSite& s : batch.heap_sites) {
    for (std::size_t depth = 0; depth < s.frames.size(); ++depth) {
      const Frame& f = s.frames[depth];
      insert_heap_site_.bind_int(1, run_);
      insert_heap_site_.bind_int(2, s.number);
      insert_heap_site_.bind_int(3, static_cast<std::int64_t>(depth));
      insert_heap_site_.bind_int(4, site_id(NewSite{0, f.file, static_cast<std::uint32_t>(f.line), f.function}));
      insert_heap_site_.step();
      insert_heap_site_.reset();
    }
  }
  const std::uint64_t t2 = steady_clock_ns();
  tx.commit();
  const std::uint64_t t3 = steady_clock_ns();
  stats.insert_ns += t2 - t1;
  stats.commit_ns += (t1 - t0) + (t3 - t2);
  stats.batches += 1;
}

void BatchWriter::finish(const RunEnd& end, std::uint64_t chunks_before) {
  Statement st = db_.prepare(
      "UPDATE runs SET state = 'complete', finished_at = ?2, outcome = ?3, message = ?4, failed_gid = ?5, "
      "failed_site = ?6, events = ?7, vtime = ?8, trace_hash = ?9 WHERE id = ?1");
  const std::string finished = utc_now();
  Transaction tx(db_);
  st.bind_int(1, run_);
  st.bind_text(2, finished);
  st.bind_text(3, end.outcome);
  st.bind_text(4, end.message);
  st.bind_int(5, end.failed_gid);
  if (!end.failed_site.empty())
    st.bind_int(6, site_id(NewSite{0, end.failed_site.file, end.failed_site.line, end.failed_site.function}));
  st.bind_int(7, static_cast<std::int64_t>(end.events));
  st.bind_int(8, end.vtime_ns);
  st.bind_text(9, end.trace_hash);
  st.step();
  if (end.schedule) write_schedule(*end.schedule, chunks_before);
  tx.commit();
}

void BatchWriter::write_schedule(const std::vector<Choice>& schedule, std::uint64_t first_chunk) {
  std::string data;
  // A run without decisions still gets its (empty) chunk 0: "no decisions"
  // is then told apart from "not recorded".
  std::uint64_t chunk = first_chunk;
  for (std::size_t first = 0; first < schedule.size() || chunk == 0; first += kScheduleChunk, ++chunk) {
    const std::size_t n = std::min(kScheduleChunk, schedule.size() - first);
    data.clear();
    encode_choices(std::span<const Choice>(schedule).subspan(first, n), data);
    insert_schedule(chunk, n, data);
  }
}

void BatchWriter::insert_schedule(std::uint64_t chunk, std::uint64_t choices, std::string_view data) {
  insert_schedule_.bind_int(1, run_);
  insert_schedule_.bind_int(2, static_cast<std::int64_t>(chunk));
  insert_schedule_.bind_int(3, static_cast<std::int64_t>(choices));
  insert_schedule_.bind_blob(4, data);
  insert_schedule_.step();
  insert_schedule_.reset();
}

}  // namespace gorewind::storage
