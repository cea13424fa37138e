// log_bench: what recording costs. ping_pong with n round trips (10n events)
// is run with no observer, with the trace hasher alone, and recorded into a
// fresh log (writer thread, then synchronous); beside it, SQLite's own
// ceiling for a row per event of the events table's columns
// (storage::insert_ceiling), into a (run, seq) WITHOUT ROWID table as logs
// before schema 8 stored them and into a plain rowid table. Then the bytes
// per event of the events (their chunks) and of the snapshots
// (storage::log_footprint).
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
#include <gorewind/storage/log_footprint.hpp>

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

  const double pk = st::insert_ceiling(ceiling_log, events, true);
  line("ceiling_run_seq_pk", pk, "rows/s");
  const double rowid = st::insert_ceiling(ceiling_log, events, false);
  line("ceiling_rowid", rowid, "rows/s");
  remove_log(ceiling_log);

  const st::LogFootprint size = st::log_footprint(log);
  line("events_bytes_per_event", static_cast<double>(size.events_bytes) / static_cast<double>(events), "bytes");
  line("snapshots_bytes", static_cast<double>(size.snapshots_bytes), "bytes");
  line("snapshots", static_cast<double>(size.snapshots), "snapshots");
  remove_log(log);
  return 0;
}
