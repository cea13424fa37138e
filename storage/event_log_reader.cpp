#include <gorewind/storage/event_log_reader.hpp>

#include <algorithm>
#include <charconv>

#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/state_codec.hpp>
#include <gorewind/storage/storage_error.hpp>
#include <gorewind/storage/writer_liveness.hpp>

#include <gorewind/storage/schedule_codec.hpp>

namespace gorewind::storage {
namespace {

constexpr std::string_view kRunColumns =
    "SELECT r.id, r.scenario, r.seed, r.strategy, r.build, r.started_at, r.finished_at, r.state, r.outcome, "
    "r.message, r.failed_gid, s.file, s.line, s.function, r.events, r.vtime, r.trace_hash, r.writer_pid, "
    "r.writer_start, (SELECT max(seq) FROM events e WHERE e.run = r.id), r.program, r.race_mode "
    "FROM runs r LEFT JOIN sites s ON s.id = r.failed_site ";

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

bool EventCursor::next(StoredEvent& e) {
  if (!st_.step()) return false;
  // Everything downstream counts on seq being 1, 2, ...: a damaged one stops
  // here with one line rather than somewhere deep in a formatter.
  // (check_seqs() has found text and blobs, so this is a number, shown as
  // SQL's quote() would.)
  if (st_.column_type(0) != ColumnType::Integer || st_.column_int(0) < 1)
    throw StorageError("run " + std::to_string(run_) + " has an event with a corrupt seq (" +
                       std::string(st_.column_text(0)) + ") in '" + path_ + "'");
  e.seq = static_cast<std::uint64_t>(st_.column_int(0));
  e.vtime_ns = st_.column_int(1);
  e.gid = static_cast<Gid>(st_.column_int(2));
  e.kind = static_cast<EventKind>(st_.column_int(3));
  e.obj_kind = static_cast<ObjKind>(st_.column_int(4));
  e.obj = static_cast<std::uint32_t>(st_.column_int(5));
  e.peer = static_cast<Gid>(st_.column_int(6));
  e.reason = static_cast<WaitReason>(st_.column_int(7));
  e.ok = st_.column_int(8) != 0;
  e.select_case = st_.is_null(9) ? -1 : static_cast<std::int32_t>(st_.column_int(9));
  e.ready = parse_ready(st_.column_text(10));
  e.cause = static_cast<std::uint64_t>(st_.column_int(11));
  e.amount = st_.column_int(12);
  e.counter = st_.column_int(13);
  e.value = StoredValue{};
  switch (st_.column_type(14)) {
    case ColumnType::Null: break;
    case ColumnType::Integer: e.value.form = ValueForm::Int; e.value.i = st_.column_int(14); break;
    case ColumnType::Real: e.value.form = ValueForm::Real; e.value.f = st_.column_real(14); break;
    case ColumnType::Text: e.value.form = ValueForm::Text; e.value.bytes = st_.column_text(14); break;
    case ColumnType::Blob: e.value.form = ValueForm::Blob; e.value.bytes = st_.column_blob(14); break;
  }
  e.type_name = st_.column_text(15);
  e.text = st_.column_text(16);
  e.site = Site{std::string(st_.column_text(17)), static_cast<std::uint32_t>(st_.column_int(18)),
                std::string(st_.column_text(19))};
  e.goroutine_name = st_.column_text(20);
  e.object_name = st_.column_text(21);
  return true;
}

EventLogReader::EventLogReader(const std::string& path) : db_(open_log(path, Database::Mode::ReadOnly)) {}

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
  Statement st = db_.prepare(std::string(kRunColumns) + "ORDER BY r.id");
  std::vector<RunRow> out;
  while (st.step()) {
    out.push_back(read_run(st));
    read_params(out.back());
  }
  return out;
}

RunRow EventLogReader::run(std::int64_t id) {
  Statement st = db_.prepare(std::string(kRunColumns) + "WHERE r.id = ?1");
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

EventCursor EventLogReader::events(std::int64_t run_id, const EventFilter& f) {
  run(run_id);
  check_seqs(run_id);
  std::string sql =
      "SELECT e.seq, e.vtime, e.gid, e.kind, e.obj_kind, e.obj, e.peer, e.reason, e.ok, e.select_case, e.ready, "
      "e.cause, e.amount, e.counter, e.value, e.type_name, e.text, s.file, s.line, s.function, g.name, o.name "
      "FROM events e LEFT JOIN sites s ON s.id = e.site "
      "LEFT JOIN goroutines g ON g.run = e.run AND g.gid = e.gid "
      "LEFT JOIN objects o ON o.run = e.run AND o.id = e.obj "
      "WHERE e.run = ?1 AND e.seq >= ?2 AND e.seq <= ?3";
  if (f.goroutine) {
    // g0 is the runtime's own; the others are in the goroutines table.
    Statement gids = db_.prepare("SELECT 0 UNION SELECT gid FROM goroutines WHERE run = ?1 ORDER BY 1");
    gids.bind_int(1, run_id);
    std::vector<std::int64_t> known;
    while (gids.step()) known.push_back(gids.column_int(0));
    if (!std::binary_search(known.begin(), known.end(), static_cast<std::int64_t>(*f.goroutine)))
      throw StorageError("run " + std::to_string(run_id) + " has no goroutine " + std::to_string(*f.goroutine) +
                         " (its goroutines: " + id_ranges(known) + ")");
    sql += " AND e.gid = ?4";
  }
  if (f.kind) sql += " AND e.kind = ?5";
  constexpr std::string_view kChannel =
      "SELECT id FROM objects WHERE run = ?1 AND kind = 1 AND (name = ?6 OR CAST(id AS TEXT) = ?6)";
  if (f.channel) {
    Statement known = db_.prepare(kChannel);
    known.bind_int(1, run_id);
    known.bind_text(6, *f.channel);
    if (!known.step()) {
      Statement all = db_.prepare("SELECT id, name FROM objects WHERE run = ?1 AND kind = 1 ORDER BY id");
      all.bind_int(1, run_id);
      std::string names;
      while (all.step())
        names += (names.empty() ? "" : ", ") + std::string(all.column_text(1)) + " (" +
                 std::to_string(all.column_int(0)) + ")";
      throw StorageError("run " + std::to_string(run_id) + " has no channel '" + *f.channel + "' (" +
                         (names.empty() ? "it has none" : "its channels: " + names) + ")");
    }
    sql += " AND e.obj IN (" + std::string(kChannel) + ")";
  }
  sql += " ORDER BY e.seq";
  Statement st = db_.prepare(sql);
  st.bind_int(1, run_id);
  st.bind_int(2, static_cast<std::int64_t>(std::min<std::uint64_t>(f.from, INT64_MAX)));
  st.bind_int(3, static_cast<std::int64_t>(std::min<std::uint64_t>(f.to, INT64_MAX)));
  if (f.goroutine) st.bind_int(4, *f.goroutine);
  if (f.kind) st.bind_int(5, static_cast<std::int64_t>(*f.kind));
  if (f.channel) st.bind_text(6, *f.channel);
  return EventCursor(std::move(st), run_id, db_.path());
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

}  // namespace gorewind::storage
