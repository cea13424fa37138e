#include <gorewind/storage/event_log_reader.hpp>

#include <algorithm>
#include <charconv>
#include <type_traits>

#include <gorewind/run.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/state_codec.hpp>
#include <gorewind/storage/storage_error.hpp>
#include <gorewind/storage/writer_liveness.hpp>

#include "event_query_sql.hpp"
#include <gorewind/storage/schedule_codec.hpp>

namespace gorewind::storage {
namespace {

// run_columns() selects a run row; the last seq stored (of a run not
// complete) comes from the chunks' key, or from a log of before version 8's
// events.
std::string run_columns(int version) {
  return std::string(
             "SELECT r.id, r.scenario, r.seed, r.strategy, r.build, r.started_at, r.finished_at, r.state, r.outcome, "
             "r.message, r.failed_gid, s.file, s.line, s.function, r.events, r.vtime, r.trace_hash, r.writer_pid, "
             "r.writer_start, ") +
         (version < kChunkedEventsVersion ? "(SELECT max(seq) FROM events e WHERE e.run = r.id)"
                      : "(SELECT max(last_seq) FROM event_chunks c WHERE c.run = r.id)") +
         ", r.program, r.race_mode, r.hash_algorithm, r.heap, r.procs, r.cpu_cost FROM runs r "
         "LEFT JOIN sites s ON s.id = r.failed_site ";
}

std::vector<std::int32_t> parse_ready(std::string_view text) {
  std::vector<std::int32_t> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    std::int32_t v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) break;
    out.push_back(v);
    p = next;
    while (p < end && *p == ' ') ++p;
  }
  return out;
}

// id_ranges() writes ascending ids compactly: "0-3, 7, 9-12".
std::string id_ranges(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(ids[i]) + (j > i ? "-" + std::to_string(ids[j]) : "");
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string_view to_string(RunState s) {
  switch (s) {
    case RunState::Recording: return "recording";
    case RunState::Complete: return "complete";
    case RunState::Incomplete: return "incomplete";
  }
  return "?";
}

std::string beyond_run(const RunRow& run, std::uint64_t seq) {
  return "seq " + std::to_string(seq) + " is beyond run " + std::to_string(run.id) + ", which has " +
         std::to_string(run.events) + " events";
}

bool EventCursor::next(StoredEvent& e) {
  if (!st_.step()) return false;
  // Everything downstream counts on seq being 1, 2, ...: a damaged one stops
  // here with one line rather than somewhere deep in a formatter.
  // (check_seqs() has found text and blobs, so this is a number, shown as
  // SQL's quote() would.)
  if (st_.column_type(0) != ColumnType::Integer || st_.column_int(0) < 1)
    throw StorageError("run " + std::to_string(run_) + " has an event with a corrupt seq (" +
                       std::string(st_.column_text(0)) + ") in '" + path_ + "'");
  // The columns are the fields in for_each_field's order; the site takes
  // three (file, line, function), then the joined names.
  int col = 0;
  for_each_field(
      [&](std::string_view, auto& field) {
        using T = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::vector<std::int32_t>>) {
          field = parse_ready(st_.column_text(col));
        } else if constexpr (std::is_same_v<T, StoredValue>) {
          field = StoredValue{};
          switch (st_.column_type(col)) {
            case ColumnType::Null: break;
            case ColumnType::Integer: field.form = ValueForm::Int; field.i = st_.column_int(col); break;
            case ColumnType::Real: field.form = ValueForm::Real; field.f = st_.column_real(col); break;
            case ColumnType::Text: field.form = ValueForm::Text; field.bytes = st_.column_text(col); break;
            case ColumnType::Blob: field.form = ValueForm::Blob; field.bytes = st_.column_blob(col); break;
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          field = st_.column_text(col);
        } else if constexpr (std::is_same_v<T, Site>) {
          field = Site{std::string(st_.column_text(col)), static_cast<std::uint32_t>(st_.column_int(col + 1)),
                       std::string(st_.column_text(col + 2))};
          col += 2;
        } else if constexpr (std::is_same_v<T, bool>) {
          field = st_.column_int(col) != 0;
        } else if constexpr (std::is_same_v<T, std::int32_t>) {
          field = st_.is_null(col) ? -1 : static_cast<std::int32_t>(st_.column_int(col));  // select_case: NULL is none
        } else {
          field = static_cast<T>(st_.column_int(col));
        }
        ++col;
      },
      e);
  e.goroutine_name = st_.column_text(col);
  e.object_name = st_.column_text(col + 1);
  return true;
}

EventLogReader::EventLogReader(const std::string& path)
    : db_(open_log(path, Database::Mode::ReadOnly)),
      version_(static_cast<int>(db_.query_int("PRAGMA user_version").value_or(0))) {}

RunRow EventLogReader::read_run(Statement& st) {
  RunRow r;
  r.id = st.column_int(0);
  r.scenario = st.column_text(1);
  r.seed = static_cast<std::uint64_t>(st.column_int(2));
  r.strategy = st.column_text(3);
  r.build = st.column_text(4);
  r.started_at = st.column_text(5);
  r.finished_at = st.column_text(6);
  const std::string_view state = st.column_text(7);
  r.outcome = st.column_text(8);
  r.message = st.column_text(9);
  r.failed_gid = static_cast<Gid>(st.column_int(10));
  r.failed_site = Site{std::string(st.column_text(11)), static_cast<std::uint32_t>(st.column_int(12)),
                       std::string(st.column_text(13))};
  r.vtime_ns = st.column_int(15);
  r.trace_hash = st.column_text(16);
  r.program = st.column_text(20);
  r.race_mode = parse_race_mode(st.column_text(21)).value_or(RaceMode::Off);
  r.hash_algorithm = st.column_text(22);
  r.heap = st.column_int(23) != 0;
  // Every reader of procs may size a table by it: a damaged one stops here.
  const std::int64_t procs = st.column_int(24);
  if (procs < 0 || procs > kMaxProcs)
    throw StorageError("run " + std::to_string(r.id) + " has a corrupt procs (" + std::to_string(procs) + ") in '" +
                       db_.path() + "'");
  r.procs = static_cast<unsigned>(procs);
  r.cpu_cost_ns = st.column_int(25);
  if (state == "complete") {
    r.state = RunState::Complete;
    r.events = static_cast<std::uint64_t>(st.column_int(14));
  } else {
    // A run still marked recording is incomplete once its writer is gone.
    const bool alive = state == "recording" && writer_alive(WriterId{st.column_int(17), st.column_int(18)});
    r.state = alive ? RunState::Recording : RunState::Incomplete;
    r.events = static_cast<std::uint64_t>(st.column_int(19));
  }
  return r;
}

std::vector<RunRow> EventLogReader::runs() {
  Statement st = db_.prepare(run_columns(version_) + "ORDER BY r.id");
  std::vector<RunRow> out;
  while (st.step()) {
    out.push_back(read_run(st));
    read_params(out.back());
  }
  return out;
}

RunRow EventLogReader::run(std::int64_t id) {
  Statement st = db_.prepare(run_columns(version_) + "WHERE r.id = ?1");
  st.bind_int(1, id);
  if (!st.step()) throw StorageError("no run " + std::to_string(id) + " in '" + db_.path() + "'");
  RunRow r = read_run(st);
  read_params(r);
  return r;
}

void EventLogReader::read_params(RunRow& r) {
  Statement st = db_.prepare("SELECT key, value FROM run_params WHERE run = ?1 ORDER BY key");
  st.bind_int(1, r.id);
  while (st.step()) r.params.emplace(st.column_text(0), st.column_text(1));
}

namespace {

constexpr std::string_view kEventColumns =
    "SELECT e.seq, e.vtime, e.gid, e.kind, e.obj_kind, e.obj, e.peer, e.reason, e.ok, e.select_case, e.ready, "
    "e.cause, e.amount, e.counter, e.value, e.type_name, e.text, s.file, s.line, s.function, e.p, e.m, g.name, "
    "o.name "
    "FROM events e LEFT JOIN sites s ON s.id = e.site "
    "LEFT JOIN goroutines g ON g.run = e.run AND g.gid = e.gid "
    "LEFT JOIN objects o ON o.run = e.run AND o.id = e.obj ";

std::string order(const EventQuery& q) {
  return q.direction == Direction::Forward ? " ORDER BY e.seq" : " ORDER BY e.seq DESC";
}

}  // namespace

void EventLogReader::check_names(const EventQuery& q) {
  for (const Gid gid : q.goroutines) {
    // g0 is the runtime's own; the others are in the goroutines table.
    Statement gids = db_.prepare("SELECT 0 UNION SELECT gid FROM goroutines WHERE run = ?1 ORDER BY 1");
    gids.bind_int(1, q.run);
    std::vector<std::int64_t> known;
    while (gids.step()) known.push_back(gids.column_int(0));
    if (!std::binary_search(known.begin(), known.end(), static_cast<std::int64_t>(gid)))
      throw StorageError("run " + std::to_string(q.run) + " has no goroutine " + std::to_string(gid) +
                         " (its goroutines: " + id_ranges(known) + ")");
  }
  if (q.object_name) {
    const ObjKind kind = q.obj_kind.value_or(ObjKind::Chan);
    Statement known = db_.prepare(
        "SELECT id FROM objects WHERE run = ?1 AND kind = ?2 AND (name = ?3 OR CAST(id AS TEXT) = ?3)");
    known.bind_int(1, q.run);
    known.bind_int(2, static_cast<std::int64_t>(kind));
    known.bind_text(3, *q.object_name);
    if (!known.step()) {
      Statement all = db_.prepare("SELECT id, name FROM objects WHERE run = ?1 AND kind = ?2 ORDER BY id");
      all.bind_int(1, q.run);
      all.bind_int(2, static_cast<std::int64_t>(kind));
      std::string names;
      while (all.step())
        names += (names.empty() ? "" : ", ") + std::string(all.column_text(1)) + " (" +
                 std::to_string(all.column_int(0)) + ")";
      const std::string what = kind == ObjKind::Chan ? "channel" : std::string(to_string(kind));
      throw StorageError("run " + std::to_string(q.run) + " has no " + what + " '" + *q.object_name + "' (" +
                         (names.empty() ? "it has none" : "its " + what + "s: " + names) + ")");
    }
  }
}

EventCursor EventLogReader::events(const EventQuery& q) {
  run(q.run);
  check_seqs(q.run);
  check_names(q);
  // The texts bound stay where they are while the cursor lives.
  auto where = std::make_shared<const QuerySql>(where_sql(q));
  Statement st = db_.prepare(std::string(kEventColumns) + "WHERE " + where->where + order(q));
  where->bind(st);
  return EventCursor(std::move(st), q.run, db_.path(), where);
}

std::optional<StoredEvent> EventLogReader::first(const EventQuery& q) {
  const QuerySql where = where_sql(q);
  Statement st = db_.prepare(std::string(kEventColumns) + "WHERE " + where.where + order(q) + " LIMIT 1");
  where.bind(st);
  EventCursor cursor(std::move(st), q.run, db_.path());
  StoredEvent e;
  if (!cursor.next(e)) return std::nullopt;
  return e;
}

std::uint64_t EventLogReader::count(const EventQuery& q) {
  const QuerySql where = where_sql(q);
  Statement st = db_.prepare("SELECT count(*) FROM events e WHERE " + where.where);
  where.bind(st);
  return st.step() ? static_cast<std::uint64_t>(st.column_int(0)) : 0;
}

std::map<Gid, std::uint64_t> EventLogReader::count_by_goroutine(const EventQuery& q) {
  const QuerySql where = where_sql(q);
  Statement st = db_.prepare("SELECT e.gid, count(*) FROM events e WHERE " + where.where + " GROUP BY e.gid");
  where.bind(st);
  std::map<Gid, std::uint64_t> out;
  while (st.step()) out[static_cast<Gid>(st.column_int(0))] = static_cast<std::uint64_t>(st.column_int(1));
  return out;
}

bool EventLogReader::has_site(const SiteSelector& site) {
  Statement st = site.function.empty()
                     ? db_.prepare("SELECT 1 FROM sites WHERE line = ?1 AND (file = ?2 OR file LIKE '%/' || ?2)")
                     : db_.prepare("SELECT 1 FROM sites WHERE function = ?3");
  st.bind_int(1, site.line);
  st.bind_text(2, site.file);
  st.bind_text(3, site.function);
  return st.step();
}

std::vector<GoroutineRow> EventLogReader::goroutines(std::int64_t run_id) {
  Statement st = db_.prepare("SELECT gid, name, path FROM goroutines WHERE run = ?1 ORDER BY gid");
  st.bind_int(1, run_id);
  std::vector<GoroutineRow> out;
  while (st.step())
    out.push_back(GoroutineRow{static_cast<Gid>(st.column_int(0)), std::string(st.column_text(1)),
                               std::string(st.column_text(2))});
  return out;
}

std::vector<ObjectRow> EventLogReader::objects(std::int64_t run_id) {
  // The maker is the goroutine of the object's Make event.
  Statement st = db_.prepare(
      "SELECT o.id, o.kind, o.name, coalesce(e.gid, 0) FROM objects o "
      "LEFT JOIN events e ON e.run = o.run AND e.seq = o.created_seq WHERE o.run = ?1 ORDER BY o.id");
  st.bind_int(1, run_id);
  std::vector<ObjectRow> out;
  while (st.step())
    out.push_back(ObjectRow{static_cast<std::uint32_t>(st.column_int(0)), static_cast<ObjKind>(st.column_int(1)),
                            std::string(st.column_text(2)), static_cast<Gid>(st.column_int(3))});
  return out;
}

void EventLogReader::check_seqs(std::int64_t run_id) {
  // The key (run, seq) sorts a seq below 1 first, and text and blobs after
  // every number: two probes of the key find either. An integer seq beyond
  // the run's count is left to the reader of the events: replay reports it
  // as a divergence.
  for (const std::string_view sql :
       {"SELECT quote(seq) FROM events WHERE run = ?1 AND seq < 1 LIMIT 1",
        "SELECT quote(seq) FROM events WHERE run = ?1 AND seq > 9223372036854775807 LIMIT 1"}) {
    Statement st = db_.prepare(sql);
    st.bind_int(1, run_id);
    if (st.step())
      throw StorageError("run " + std::to_string(run_id) + " has an event with a corrupt seq (" +
                         std::string(st.column_text(0)) + ") in '" + db_.path() + "'");
  }
}

std::optional<RuntimeState> EventLogReader::snapshot_at(std::int64_t run_id, std::uint64_t seq) {
  Statement st = db_.prepare("SELECT state FROM snapshots WHERE run = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT 1");
  st.bind_int(1, run_id);
  st.bind_int(2, static_cast<std::int64_t>(std::min<std::uint64_t>(seq, INT64_MAX)));
  if (!st.step()) return std::nullopt;
  return decode_state(st.column_blob(0));
}

std::optional<std::vector<Choice>> EventLogReader::schedule(std::int64_t run_id) {
  run(run_id);
  Statement st = db_.prepare("SELECT choices, data FROM schedules WHERE run = ?1 ORDER BY chunk");
  st.bind_int(1, run_id);
  std::optional<std::vector<Choice>> out;
  while (st.step()) {
    if (!out) out.emplace();
    const std::size_t before = out->size();
    decode_choices(st.column_blob(1), *out);
    if (out->size() - before != static_cast<std::size_t>(st.column_int(0)))
      throw StorageError("run " + std::to_string(run_id) + " has a damaged schedule in '" + db_.path() + "'");
  }
  return out;
}

std::vector<std::string> EventLogReader::chunk_digests(std::int64_t run_id) {
  Statement st = db_.prepare("SELECT digest FROM chunk_digests WHERE run = ?1 ORDER BY chunk");
  st.bind_int(1, run_id);
  std::vector<std::string> out;
  while (st.step()) out.emplace_back(st.column_text(0));
  return out;
}

std::vector<OutputChunk> EventLogReader::output(std::int64_t run_id) {
  run(run_id);
  Statement st = db_.prepare("SELECT seq, stream, bytes FROM output WHERE run = ?1 ORDER BY chunk");
  st.bind_int(1, run_id);
  std::vector<OutputChunk> out;
  while (st.step()) {
    const std::optional<OutputStream> stream = parse_output_stream(st.column_text(1));
    if (!stream || st.column_int(0) < 0)
      throw StorageError("run " + std::to_string(run_id) + " has damaged output in '" + db_.path() + "'");
    out.push_back(OutputChunk{static_cast<std::uint64_t>(st.column_int(0)), *stream, std::string(st.column_blob(2))});
  }
  return out;
}

std::vector<HeapRow> EventLogReader::heap_rows(std::int64_t run_id, std::uint64_t at) {
  Statement st = db_.prepare(
      "SELECT gid, heap_site, sum(alloc_objects), sum(alloc_bytes), sum(alloc_objects - free_objects), "
      "sum(alloc_bytes - free_bytes) FROM heap WHERE run = ?1 AND seq <= ?2 GROUP BY gid, heap_site "
      "ORDER BY gid, heap_site");
  st.bind_int(1, run_id);
  st.bind_int(2, static_cast<std::int64_t>(at));
  std::vector<HeapRow> out;
  while (st.step())
    out.push_back(HeapRow{static_cast<Gid>(st.column_int(0)), static_cast<std::uint32_t>(st.column_int(1)),
                          st.column_int(2), st.column_int(3), st.column_int(4), st.column_int(5)});
  return out;
}

std::vector<LatencyRow> EventLogReader::sched_latencies(std::int64_t run_id, std::uint64_t at) {
  Statement st = db_.prepare(
      "SELECT gid, became, runnable_seq, seq, p, m, latency_ns, file, line FROM sched_latency "
      "WHERE run = ?1 AND seq <= ?2 ORDER BY seq");
  st.bind_int(1, run_id);
  st.bind_int(2, static_cast<std::int64_t>(at));
  std::vector<LatencyRow> out;
  while (st.step()) {
    LatencyRow r{static_cast<Gid>(st.column_int(0)), std::string(st.column_text(1)),
                 static_cast<std::uint64_t>(st.column_int(2)), static_cast<std::uint64_t>(st.column_int(3)),
                 st.is_null(4) ? -1 : static_cast<std::int32_t>(st.column_int(4)),
                 st.is_null(5) ? -1 : static_cast<std::int32_t>(st.column_int(5)), st.column_int(6), {}};
    if (!st.is_null(7)) r.site = std::string(st.column_text(7)) + ":" + std::to_string(st.column_int(8));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<HeapSite> EventLogReader::heap_sites(std::int64_t run_id) {
  Statement st = db_.prepare(
      "SELECT h.heap_site, s.function, s.file, s.line FROM heap_sites h JOIN sites s ON s.id = h.site "
      "WHERE h.run = ?1 ORDER BY h.heap_site, h.depth");
  st.bind_int(1, run_id);
  std::vector<HeapSite> out;
  while (st.step()) {
    const auto number = static_cast<std::uint32_t>(st.column_int(0));
    if (out.empty() || out.back().number != number) out.push_back(HeapSite{number, {}});
    out.back().frames.push_back(
        Frame{0, std::string(st.column_text(1)), std::string(st.column_text(2)), static_cast<int>(st.column_int(3))});
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i].number != i + 1)
      throw StorageError("run " + std::to_string(run_id) + " has damaged heap sites in '" + db_.path() + "'");
  return out;
}

}  // namespace gorewind::storage
