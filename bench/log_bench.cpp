// log_bench: what recording costs. ping_pong with n round trips (10n events)
// is run with no observer, with the trace hasher alone, and recorded into a
// fresh log (writer thread, then synchronous); beside it, SQLite's own
// ceiling for rows of the events table's shape, inserted the way the writer
// inserts them (prepared statement, one transaction per 8192 rows, WAL), into
// a (run, seq) WITHOUT ROWID table like ours and into a plain rowid table.
// Then the bytes per event of the events table (dbstat) and of the snapshots.
//
//   log_bench [--quick] [--dir DIR]     (DIR: where the logs go; default /tmp)
//
// Output: one line per figure, `<name> <value> <unit>`, for bench/log_run.sh.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/schema.hpp>

namespace gr = gorewind;
namespace st = gorewind::storage;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void line(const char* name, double value, const char* unit) {
  std::printf("%-28s %14.2f %s\n", name, value, unit);
  std::fflush(stdout);
}

// run_ping_pong() runs ping_pong once with observers; returns the events.
std::uint64_t run_ping_pong(int n, std::vector<gr::Observer*> observers) {
  const gr::Scenario* s = gr::find_scenario("ping_pong");
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.scenario = "ping_pong";
  o.params = {{"n", std::to_string(n)}};
  o.observers = std::move(observers);
  return gr::run(s->body, o).events;
}

void remove_log(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// ceiling() inserts rows shaped like ping_pong's events (the same columns,
// the same kinds of values) as fast as SQLite takes them; rows/s.
double ceiling(const std::string& path, std::uint64_t rows, bool without_rowid) {
  remove_log(path);
  st::Database db(path, st::Database::Mode::CreateIfMissing);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  db.exec(std::string("CREATE TABLE events (run INTEGER NOT NULL, seq INTEGER NOT NULL, vtime INTEGER NOT NULL, "
                      "gid INTEGER NOT NULL, kind INTEGER NOT NULL, obj_kind INTEGER NOT NULL, obj INTEGER NOT NULL, "
                      "peer INTEGER NOT NULL, reason INTEGER NOT NULL, ok INTEGER NOT NULL, select_case INTEGER, "
                      "ready TEXT, cause INTEGER NOT NULL, amount INTEGER NOT NULL, counter INTEGER NOT NULL, value, "
                      "type_name TEXT, text TEXT, site INTEGER") +
          (without_rowid ? ", PRIMARY KEY (run, seq)) WITHOUT ROWID" : ")"));
  st::Statement ins = db.prepare("INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                 "?14, ?15, ?16, ?17, ?18, ?19)");
  const auto t0 = Clock::now();
  for (std::uint64_t seq = 1; seq <= rows;) {
    db.exec("BEGIN IMMEDIATE");
    for (int k = 0; k < 8192 && seq <= rows; ++k, ++seq) {
      ins.bind_int(1, 1);
      ins.bind_int(2, static_cast<std::int64_t>(seq));
      ins.bind_int(3, 0);
      ins.bind_int(4, 2 + seq % 2);
      ins.bind_int(5, 3 + seq % 7);
      ins.bind_int(6, 1);
      ins.bind_int(7, 2 + seq % 2);
      ins.bind_int(8, seq % 3);
      ins.bind_int(9, 0);
      ins.bind_int(10, 1);
      ins.bind_int(13, static_cast<std::int64_t>(seq % 5 ? 0 : seq - 3));
      ins.bind_int(14, 0);
      ins.bind_int(15, 0);
      if (seq % 5 == 0) ins.bind_int(16, static_cast<std::int64_t>(seq / 5));
      ins.bind_int(19, 1 + seq % 4);
      ins.step();
      ins.reset();
    }
    db.exec("COMMIT");
  }
  return static_cast<double>(rows) / seconds_since(t0);
}

std::int64_t table_bytes(st::Database& db, const std::string& like) {
  return db.query_int("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '" + like + "'").value_or(0);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string dir = "/tmp";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: log_bench [--quick] [--dir DIR]\n");
      return 2;
    }
  }
  const int n = quick ? 100000 : 1000000;
  const std::string log = dir + "/log_bench.db";
  const std::string ceiling_log = dir + "/log_bench_ceiling.db";

  auto t0 = Clock::now();
  const std::uint64_t events = run_ping_pong(n, {});
  line("ping_pong_round_trips", n, "round trips");
  line("events", static_cast<double>(events), "events");
  line("no_observer", static_cast<double>(events) / seconds_since(t0), "events/s");

  gr::TraceHasher hasher;
  t0 = Clock::now();
  run_ping_pong(n, {&hasher});
  line("trace_hasher_only", static_cast<double>(events) / seconds_since(t0), "events/s");

  for (const bool background : {true, false}) {
    remove_log(log);
    gr::record::Recorder::Config config;
    config.writer.threading = background ? st::EventLogWriter::Threading::Background
                                         : st::EventLogWriter::Threading::Synchronous;
    gr::record::Recorder recorder(log, config);
    t0 = Clock::now();
    run_ping_pong(n, {&recorder});
    const gr::record::RecordedRun saved = recorder.finish();
    const double secs = seconds_since(t0);
    const char* mode = background ? "recorded_thread" : "recorded_sync";
    line(mode, static_cast<double>(events) / secs, "events/s");
    const std::string prefix = background ? "  thread_" : "  sync_";
    line((prefix + "wall").c_str(), secs, "s");
    line((prefix + "scheduler_waits").c_str(), static_cast<double>(saved.stats.caller_wait_ns) / 1e9, "s");
    line((prefix + "sqlite_inserts").c_str(), static_cast<double>(saved.stats.insert_ns) / 1e9, "s");
    line((prefix + "sqlite_commits").c_str(), static_cast<double>(saved.stats.commit_ns) / 1e9, "s");
  }

  const double pk = ceiling(ceiling_log, events, true);
  line("ceiling_run_seq_pk", pk, "rows/s");
  const double rowid = ceiling(ceiling_log, events, false);
  line("ceiling_rowid", rowid, "rows/s");
  remove_log(ceiling_log);

  st::Database db = st::open_log(log, st::Database::Mode::ExistingOnly);
  const auto ev = static_cast<double>(table_bytes(db, "events"));
  line("events_bytes_per_event", ev / static_cast<double>(events), "bytes");
  line("snapshots_bytes", static_cast<double>(table_bytes(db, "%snapshots%")), "bytes");
  line("snapshots", static_cast<double>(db.query_int("SELECT count(*) FROM snapshots").value_or(0)), "snapshots");
  remove_log(log);
  return 0;
}
