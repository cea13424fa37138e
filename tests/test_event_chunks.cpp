// Events stored in chunks (schema version 8): every field of every event
// comes back exactly, through the codec and through the events table over
// a recorded log; a damaged chunk is refused with one line and spoils
// nothing else; a version 7 log's event rows become chunks when migrated or
// merged; the sqlite3 shell reads the events with the loadable extension.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/log_merge.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "../storage/event_chunk.hpp"
#include "cli_support.hpp"
#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
using namespace gorewind::test;

namespace {

// same_record() compares every field for_each_field() names.
bool same_record(const st::EventRecord& a, const st::EventRecord& b) {
  bool same = true;
  gr::for_each_field(
      [&](std::string_view name, const auto& x, const auto& y) {
        using T = std::decay_t<decltype(x)>;
        bool eq;
        if constexpr (std::is_same_v<T, st::RecordReady>)
          eq = x.bytes == y.bytes;
        else if constexpr (std::is_same_v<T, st::RecordValue>)
          eq = x.form == y.form && x.i == y.i && (x.f == y.f || (std::isnan(x.f) && std::isnan(y.f))) &&
               x.bytes == y.bytes;
        else if constexpr (std::is_same_v<T, st::SiteNumber>)
          eq = x.number == y.number;
        else
          eq = x == y;
        if (!eq) {
          UNSCOPED_INFO("seq " << a.seq << ": field " << name << " differs");
          same = false;
        }
      },
      a, b);
  return same;
}

// Records of every shape a field can take: defaults, each value form, ready
// lists, time going back, causes before and after the event, extremes.
struct Shapes {
  std::vector<st::EventRecord> records;
  std::vector<std::string> ready;  // what records' ready lists view
};

Shapes shapes(std::uint64_t first_seq, std::size_t n) {
  Shapes s;
  s.ready.resize(n);
  s.records.resize(n);
  static const std::string kBlob("\x00\x01\xff", 3);
  for (std::size_t i = 0; i < n; ++i) {
    st::EventRecord& e = s.records[i];
    e.seq = first_seq + i;
    if (i % 7 == 0) continue;  // every field its default
    e.vtime_ns = i % 13 == 1   ? INT64_MIN
                 : i % 13 == 2 ? INT64_MAX
                 : i % 5 == 0  ? -static_cast<std::int64_t>(i)
                               : static_cast<std::int64_t>(i * 1000);
    e.gid = static_cast<gr::Gid>(i % 4 == 0 ? 0xffffffffu : i % 9);
    e.kind = static_cast<gr::EventKind>(i % 20);
    e.obj_kind = static_cast<gr::ObjKind>(i % 10);
    e.obj = static_cast<std::uint32_t>(i * 31);
    e.peer = static_cast<gr::Gid>(i % 3);
    e.reason = static_cast<gr::WaitReason>(i % 6);
    e.ok = i % 3 != 0;
    e.select_case = static_cast<std::int32_t>(i % 4) - 2;
    for (std::size_t k = 0; k < i % 4; ++k) {
      const std::int32_t r = static_cast<std::int32_t>(k) - 1 + (k == 2 ? INT32_MIN + 1 : 0);
      s.ready[i].append(reinterpret_cast<const char*>(&r), sizeof r);
    }
    e.ready.bytes = s.ready[i];
    e.cause = i % 6 == 0 ? 0 : i % 6 == 1 ? e.seq + 5 : e.seq - 1;
    e.amount = i % 8 == 0 ? INT64_MIN : static_cast<std::int64_t>(i) - 50;
    e.counter = i % 8 == 1 ? INT64_MAX : 3;
    switch (i % 5) {
      case 0: break;
      case 1: e.value = {st::ValueForm::Int, -static_cast<std::int64_t>(i), 0, {}}; break;
      case 2: e.value = {st::ValueForm::Real, 0, 0.1 * static_cast<double>(i), {}}; break;
      case 3: e.value = {st::ValueForm::Text, 0, 0, "héllo"}; break;
      default: e.value = {st::ValueForm::Blob, 0, 0, kBlob}; break;
    }
    e.type_name = i % 2 ? "int" : "";
    e.text = i % 3 ? std::string_view("a \"name\"") : std::string_view();
    e.site.number = static_cast<std::uint32_t>(i % 11);
  }
  return s;
}

// run_sh() runs a shell command; returns its exit status and puts its
// standard output in out.
int run_sh(const std::string& command, std::string& out) {
  out.clear();
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// stored_hash() is TraceHasher over run's events as the log gives them.
std::string stored_hash(const std::string& db, std::int64_t run) {
  st::EventLogReader log(db);
  gr::TraceHasher hasher;
  hasher.on_run_begin(gr::RunInfo{});
  st::EventCursor cursor = log.events(run);
  st::StoredEvent e;
  while (cursor.next(e)) hasher.on_event(st::EventView(e).event());
  return hasher.hex();
}

// seqs() are the seqs a query gives, in its order.
std::vector<std::uint64_t> seqs(st::EventLogReader& log, const st::EventQuery& q) {
  std::vector<std::uint64_t> out;
  st::EventCursor cursor = log.events(q);
  st::StoredEvent e;
  while (cursor.next(e)) out.push_back(e.seq);
  return out;
}

// flip_a_byte() flips one byte of run 1's second chunk, as a bad disk would.
void flip_a_byte(const std::string& db) {
  st::Database d = st::open_log(db, st::Database::Mode::ExistingOnly);
  st::Statement get = d.prepare("SELECT data FROM event_chunks WHERE run = 1 AND first_seq = 4097");
  REQUIRE(get.step());
  std::string data(get.column_blob(0));
  get.reset();
  data[data.size() / 2] ^= 0x20;
  st::Statement put = d.prepare("UPDATE event_chunks SET data = ?1 WHERE run = 1 AND first_seq = 4097");
  put.bind_blob(1, data);
  put.step();
}

Recording record_ping_pong(const std::string& db, int n) {
  gr::record::Recorder recorder(db, {});
  gr::TraceHasher hasher;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.scenario = "ping_pong";
  o.params = {{"n", std::to_string(n)}};
  o.observers = {&hasher, &recorder};
  Recording r;
  r.result = gr::run(gr::find_scenario("ping_pong")->body, o);
  r.saved = recorder.finish();
  r.live_hash = hasher.hex();
  return r;
}

}  // namespace

TEST_CASE("event chunks: every field of every event comes back as it went in", "[storage]") {
  const Shapes in = shapes(4097, 600);
  st::EventChunkEncoder chunk;
  for (const st::EventRecord& e : in.records) chunk.add(e);
  REQUIRE(chunk.events() == in.records.size());
  st::DecodedChunk out;
  st::decode_chunk(chunk.bytes(), 4097, in.records.size(), out);
  REQUIRE(out.events.size() == in.records.size());
  for (std::size_t i = 0; i < in.records.size(); ++i) CHECK(same_record(out.events[i], in.records[i]));
  // A default event costs its mask and nothing more.
  st::EventChunkEncoder one;
  one.add(st::EventRecord{});
  CHECK(one.bytes().size() == 1 + 3);
}

TEST_CASE("event chunks: a chunk cut anywhere, with bytes to spare or of another count is refused", "[storage]") {
  const Shapes in = shapes(1, 40);
  st::EventChunkEncoder chunk;
  for (const st::EventRecord& e : in.records) chunk.add(e);
  const std::string bytes(chunk.bytes());
  st::DecodedChunk out;
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut << " of " << bytes.size());
    CHECK_THROWS_AS(st::decode_chunk(std::string_view(bytes).substr(0, cut), 1, 40, out), st::StorageError);
  }
  CHECK_THROWS_WITH(st::decode_chunk(bytes + "x", 1, 40, out), Catch::Contains("more than its row says"));
  CHECK_THROWS_AS(st::decode_chunk(bytes, 1, 41, out), st::StorageError);
  CHECK_THROWS_WITH(st::decode_chunk(bytes, 1, 1u << 30, out), Catch::Contains("fewer events"));
  std::string other = bytes;
  other[0] = 9;
  CHECK_THROWS_WITH(st::decode_chunk(other, 1, 40, out), Catch::Contains("format is unknown"));
  CHECK(st::chunk_checksum(bytes) != st::chunk_checksum(other));
}

TEST_CASE("event chunks: a recorded run reads back exactly, in chunks of at most 4096 events, any range either way",
          "[storage]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  const Recording r = record_ping_pong(db, 1000);  // 10,017 events: three chunks
  const std::uint64_t n = r.result.events;
  REQUIRE(n == 10017);
  CHECK(stored_hash(db, r.saved.id) == r.live_hash);
  {
    st::Database d = st::open_log(db, st::Database::Mode::ReadOnly);
    CHECK(d.query_int("SELECT count(*) FROM event_chunks WHERE last_seq - first_seq >= 4096 OR "
                      "(first_seq - 1) / 4096 != (last_seq - 1) / 4096") == 0);
    CHECK(d.query_int("SELECT sum(last_seq - first_seq + 1) FROM event_chunks WHERE run = 1") == 10017);
    CHECK(d.query_int("SELECT count(*) FROM events WHERE run = 1") == 10017);
    CHECK(d.query_int("SELECT count(*) FROM events") == 10017);
    CHECK(d.query_int("SELECT count(*) FROM event_log WHERE run = 1") == 10017);
    CHECK(d.query_int("SELECT seq FROM events WHERE run = 1 AND seq = 4097") == 4097);
    CHECK(d.query_int("SELECT count(*) FROM events WHERE run = 1 AND seq BETWEEN 4000 AND 4200.5") == 201);
    CHECK(d.query_int("SELECT count(*) FROM events WHERE run = 1 AND seq > 'text'") == 0);
    CHECK(d.query_int("SELECT count(*) FROM events WHERE run = 1 AND seq < 'text'") == 10017);
    CHECK(d.query_int("SELECT count(*) FROM events WHERE run = 2") == 0);
    // Rows come in seq order without a sort, and the newest first when asked.
    CHECK(d.query_int("SELECT seq FROM events WHERE run = 1 ORDER BY seq DESC LIMIT 1") == 10017);
    CHECK(d.query_int("SELECT seq FROM events WHERE run = 1 AND seq < 8193 ORDER BY seq DESC LIMIT 1") == 8192);
    CHECK(d.query_int("SELECT count(*) FROM (SELECT seq, LAG(seq) OVER (ORDER BY rowid) AS prev FROM events "
                      "WHERE run = 1) WHERE prev IS NOT NULL AND seq != prev + 1") == 0);
  }
  st::EventLogReader log(db);
  CHECK(log.runs().at(0).events == n);
  st::EventQuery q(r.saved.id);
  q.from = 4090;
  q.to = 8200;
  std::vector<std::uint64_t> want;
  for (std::uint64_t s = 4090; s <= 8200; ++s) want.push_back(s);
  CHECK(seqs(log, q) == want);
  q.direction = st::Direction::Backward;
  std::reverse(want.begin(), want.end());
  CHECK(seqs(log, q) == want);
  q.from = 1;
  q.to = 4097;
  CHECK(log.first(q)->seq == 4097);
  q.to = 0;
  CHECK_FALSE(log.first(q));
}

TEST_CASE("event chunks: a damaged chunk is one clear error, and the rest of the log still reads", "[storage]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  record_ping_pong(db, 1000);
  const Recording second = record_ping_pong(db, 10);
  flip_a_byte(db);
  st::EventLogReader log(db);
  CHECK_THROWS_WITH(stored_hash(db, 1),
                    Catch::Contains("run 1 has damaged events: the chunk of seqs 4097-8192 does not match its checksum"));
  // The events before it, after it and of the other run are all there.
  st::EventQuery before(1);
  before.to = 4096;
  CHECK(seqs(log, before).size() == 4096);
  st::EventQuery after(1);
  after.from = 8193;
  CHECK(seqs(log, after).size() == 10017 - 8192);
  CHECK(stored_hash(db, 2) == second.live_hash);
  CHECK(log.runs().size() == 2);

  {
    // Damage that keeps the checksum right (a chunk written wrong) is
    // refused by the decoder.
    st::Database d = st::open_log(db, st::Database::Mode::ExistingOnly);
    const std::string junk = "\x01junk";
    st::Statement put =
        d.prepare("UPDATE event_chunks SET data = ?1, checksum = ?2 WHERE run = 2 AND first_seq = 1");
    put.bind_blob(1, junk);
    put.bind_int(2, st::chunk_checksum(junk));
    put.step();
  }
  CHECK_THROWS_WITH(stored_hash(db, 2), Catch::Contains("run 2 has damaged events (seqs 1-"));
}

TEST_CASE("event chunks: show of a damaged chunk is one line and exit 2; other runs show", "[logcli]") {
  REQUIRE_FALSE(bin().empty());
  TempDir dir;
  const std::string db = dir.file("log.db");
  record_ping_pong(db, 1000);
  record_ping_pong(db, 10);
  flip_a_byte(db);
  const Cli show = cli(dir, {"show", "1", "--db", db});
  CHECK(show.code == 2);
  REQUIRE(show.err.size() == 1);
  CHECK(show.err[0] == "gorewind: error: " + db +
                           ": run 1 has damaged events: the chunk of seqs 4097-8192 does not match its checksum");
  CHECK(cli(dir, {"show", "2", "--db", db}).code == 0);
  CHECK(cli(dir, {"show", "1", "--to", "4096", "--db", db}).code == 0);
  CHECK(cli(dir, {"runs", "--db", db}).code == 0);
}

TEST_CASE("event chunks: a version 7 log's event rows become chunks, migrated or merged, and read the same",
          "[storage]") {
  TempDir dir;
  const std::string db = dir.file("v7.db");
  const auto a = record_scenario(db, "worker_pool", "random", 7);
  const Recording b = record_ping_pong(db, 500);
  events_as_rows(db);
  REQUIRE(st::log_version(db) == 7);
  CHECK(stored_hash(db, a.saved.id) == a.live_hash);
  CHECK(stored_hash(db, b.saved.id) == b.live_hash);
  const std::string merged = dir.file("merged.db");
  record_scenario(merged, "handoff", "fifo", 1);
  const std::vector<st::Renumbered> moved = st::merge_logs(merged, {db});
  REQUIRE(moved.size() == 2);
  CHECK(stored_hash(merged, moved[0].to) == a.live_hash);
  CHECK(stored_hash(merged, moved[1].to) == b.live_hash);
  CHECK(st::log_version(db) == 7);  // merge only read it

  // A writer migrates the file in place.
  st::open_log(db, st::Database::Mode::ExistingOnly);
  CHECK(st::log_version(db) == st::kSchemaVersion);
  CHECK(stored_hash(db, a.saved.id) == a.live_hash);
  CHECK(stored_hash(db, b.saved.id) == b.live_hash);
  st::Database d = st::open_log(db, st::Database::Mode::ReadOnly);
  CHECK(d.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'events'") == 0);
  CHECK(d.query_int("SELECT count(*) FROM event_chunks WHERE run = 2") == 2);
  CHECK(d.query_int("SELECT count(*) FROM events WHERE site IS NOT NULL AND site NOT IN (SELECT id FROM sites)") == 0);
  CHECK(d.query_int("SELECT count(*) FROM event_log WHERE run = 1 AND file IS NOT NULL") ==
        d.query_int("SELECT count(*) FROM events WHERE run = 1 AND site IS NOT NULL"));
}

TEST_CASE("event chunks: the sqlite3 shell reads events with the extension; without it the file is plain SQLite",
          "[storage]") {
  std::string out;
  if (run_sh("command -v sqlite3 >/dev/null", out) != 0) {
    WARN("no sqlite3 shell on this machine: skipped");
    return;
  }
  TempDir dir;
  const std::string db = dir.file("log.db");
  record_scenario(db, "handoff", "fifo", 1);
  const std::string sqlite = "sqlite3 -cmd '.load " + std::string(GOREWIND_SQLITE_EXTENSION_FILE) + "' '" + db + "' ";
  CHECK(run_sh(sqlite + "\"SELECT seq, goroutine, kind, object, value FROM event_log WHERE run = 1 AND "
                        "kind = 'send'\"",
               out) == 0);
  CHECK(out == "7|sender|send|value|42\n");
  CHECK(run_sh(sqlite + "\"SELECT count(*), max(seq) FROM events\"", out) == 0);
  CHECK(out == "12|12\n");
  // Plain sqlite3 dumps, checks and vacuums the file; the events table is
  // the extension's.
  CHECK(run_sh("sqlite3 '" + db + "' 'PRAGMA integrity_check' 2>&1", out) == 0);
  CHECK(out == "ok\n");
  CHECK(run_sh("sqlite3 '" + db + "' .dump 2>&1 | grep -c 'INSERT INTO event_chunks'", out) == 0);
  CHECK(out == "1\n");
  CHECK(run_sh("sqlite3 '" + db + "' VACUUM 2>&1", out) == 0);
  CHECK(run_sh("sqlite3 '" + db + "' 'SELECT count(*) FROM events' 2>&1", out) != 0);
  CHECK(contains(out, "no such table"));
  CHECK(stored_hash(db, 1) == record_scenario(dir.file("again.db"), "handoff", "fifo", 1).live_hash);
}
