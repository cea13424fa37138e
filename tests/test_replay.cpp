// Replay: a recorded run re-executed under its stored schedule gives the
// same events, a changed program diverges where it changed, tolerant replay
// goes on past that point; the state at any seq is read from the log alone.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "log_support.hpp"
#include "support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
namespace rp = gorewind::replay;

namespace {

// record() records fn (named scenario) with strategy and seed into db.
std::int64_t record(const std::string& db, void (*fn)(), const std::string& scenario, const std::string& strategy,
                    std::uint64_t seed, gr::record::Recorder::Config config = {}) {
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.scenario = scenario;
  return gr::record::record_run(fn, o, db, config).recorded.id;
}

// The altered programs: a global flipped between recording and replay
// stands for an edit of the source.
int g_second_value = 2;
void second_value() {
  gr::chan<int> c(0, "c");
  gr::go([&c] {
    c.send(1);
    c.send(g_second_value);
  }, "sender");
  gr::check(c.recv() == 1, "first value");
  c.recv();
}

int g_senders = 2;
void senders() {
  gr::chan<int> c(0, "c");
  const int n = g_senders;
  for (int i = 0; i < n; ++i) gr::go([&c, i] { c.send(i); }, "sender");
  for (int i = 0; i < n; ++i) c.recv();
}

// seq_where() is the first seq of run whose event satisfies pred; 0: none.
template <class Pred>
std::uint64_t seq_where(st::EventLogReader& log, std::int64_t run, Pred pred) {
  st::EventCursor c = log.events(run);
  st::StoredEvent e;
  while (c.next(e))
    if (pred(e)) return e.seq;
  return 0;
}

}  // namespace

TEST_CASE("replay: every scenario replays identically, 50 seeds each (10 under the sanitizers)", "[replay]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  gr::record::Recorder::Config config;
  config.snapshot_every = 0;
  config.writer.threading = st::EventLogWriter::Threading::Synchronous;
  for (const gr::Scenario* sc : gr::test::in_process_scenarios()) {
    for (std::uint64_t seed = 1; seed <= gr::test::repeats(50); ++seed) {
      INFO("scenario " << sc->name << ", seed " << seed);
      const char* strategy = seed % 5 == 0 ? "pct" : "random";
      const std::int64_t run = record(db, sc->body, sc->name, strategy, seed, config);
      st::EventLogReader log(db);
      const rp::ReplayResult r = rp::replay_run(sc->body, log, run);
      REQUIRE(r.identical());
      CHECK(r.result.events == r.recorded.events);
      CHECK(gr::to_string(r.result.outcome) == r.recorded.outcome);
      CHECK_FALSE(r.script_left);
    }
  }
}

TEST_CASE("replay: a changed value diverges at the event that carries it", "[replay]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  g_second_value = 2;
  const std::int64_t run = record(db, second_value, "second_value", "fifo", 1);
  st::EventLogReader log(db);
  const std::uint64_t carrier = seq_where(log, run, [](const st::StoredEvent& e) { return e.value_text() == "2"; });
  REQUIRE(carrier > 0);

  g_second_value = 3;
  const rp::ReplayResult r = rp::replay_run(second_value, log, run);
  g_second_value = 2;
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == carrier);
  REQUIRE(r.divergence->expected);
  REQUIRE(r.divergence->actual);
  CHECK(r.divergence->expected->value_text() == "2");
  CHECK(r.divergence->actual->value_text() == "3");
  CHECK(r.divergence->actual->kind == r.divergence->expected->kind);
  CHECK(r.divergence->actual->goroutine_name == "sender");
  CHECK(r.divergence->actual->object_name == "c");
  CHECK(r.divergence->actual->site.file == "tests/test_replay.cpp");
  // The unchanged program still replays.
  CHECK(rp::replay_run(second_value, log, run).identical());
}

TEST_CASE("replay: a program that spawns one more goroutine diverges there; tolerant replay goes on", "[replay]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  // Where the third sender's spawn comes in the changed program: under
  // fifo both programs make the same events until then.
  g_senders = 3;
  const std::int64_t changed = record(db, senders, "senders", "fifo", 1);
  g_senders = 2;
  const std::int64_t run = record(db, senders, "senders", "fifo", 1);
  st::EventLogReader log(db);
  int spawns = 0;
  const std::uint64_t third_spawn = seq_where(log, changed, [&](const st::StoredEvent& e) {
    return e.kind == gr::EventKind::Spawn && e.text == "sender" && ++spawns == 3;
  });
  REQUIRE(third_spawn > 0);

  g_senders = 3;
  const rp::ReplayResult strict = rp::replay_run(senders, log, run);
  REQUIRE(strict.divergence);
  CHECK(strict.divergence->seq == third_spawn);
  REQUIRE(strict.divergence->actual);
  CHECK(strict.divergence->actual->kind == gr::EventKind::Spawn);
  REQUIRE(strict.divergence->expected);
  CHECK(strict.divergence->expected->kind != gr::EventKind::Spawn);

  for (const char* then : {"random", "pct"}) {
    INFO("then " << then);
    rp::ReplayOptions options;
    options.then = gr::make_strategy(then);
    options.seed = 9;
    const rp::ReplayResult tolerant = rp::replay_run(senders, log, run, options);
    REQUIRE(tolerant.divergence);
    CHECK(tolerant.divergence->seq == third_spawn);
    // It went on to the end of the changed program: three values received.
    CHECK(tolerant.result.ok());
    CHECK(tolerant.result.events > log.run(run).events);
    CHECK(tolerant.result.goroutines == 4);
  }
  g_senders = 2;
}

TEST_CASE("replay: a run cut short or longer than its log diverges at the end", "[replay]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  g_senders = 2;
  const std::int64_t run = record(db, senders, "senders", "random", 4);
  {
    // One event more in the log than the program makes (rows, which SQL
    // can edit).
    gr::test::events_as_rows(db);
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("INSERT INTO events SELECT run, seq + 1, vtime, gid, kind, obj_kind, obj, peer, reason, ok, select_case, "
           "ready, cause, amount, counter, value, type_name, text, site FROM events WHERE run = " +
           std::to_string(run) + " AND seq = (SELECT max(seq) FROM events WHERE run = " + std::to_string(run) + ")");
  }
  st::EventLogReader log(db);
  const std::uint64_t n = log.run(run).events;
  rp::ReplayResult r = rp::replay_run(senders, log, run);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == n + 1);
  CHECK(r.divergence->expected);
  CHECK_FALSE(r.divergence->actual);
  {
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("DELETE FROM events WHERE run = " + std::to_string(run) + " AND seq >= " + std::to_string(n));
  }
  r = rp::replay_run(senders, log, run);
  REQUIRE(r.divergence);
  CHECK(r.divergence->seq == n);
  CHECK_FALSE(r.divergence->expected);
  CHECK(r.divergence->actual);
}

TEST_CASE("replay: a run without a schedule or unknown is an error", "[replay]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const auto bare = gr::test::record_scenario(db, "handoff", "random", 1);
  st::EventLogReader log(db);
  CHECK_THROWS_AS(rp::replay_run(gr::find_scenario("handoff")->body, log, bare.saved.id), rp::ReplayError);
  CHECK_THROWS_AS(rp::replay_run(gr::find_scenario("handoff")->body, log, 42), st::StorageError);
}

TEST_CASE("replay: the state at a seq read from the log equals StateBuilder over every event before it",
          "[replay]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  gr::record::Recorder::Config config;
  config.snapshot_every = 7;
  for (const char* name : {"dining_philosophers", "worker_pool", "select_timeout", "rw_recursive"}) {
    INFO("scenario " << name);
    const std::int64_t run = record(db, gr::find_scenario(name)->body, name, "random", 3, config);
    st::EventLogReader log(db);
    gr::StateBuilder all;
    CHECK(rp::log_state_at(log, run, 0) == all.state());
    st::EventCursor c = log.events(run);
    st::StoredEvent e;
    while (c.next(e)) {
      all.apply(st::EventView(e).event());
      INFO("seq " << e.seq);
      REQUIRE(rp::log_state_at(log, run, e.seq) == all.state());
    }
    CHECK_THROWS_WITH(rp::log_state_at(log, run, log.run(run).events + 1), Catch::Contains("is beyond run"));
  }
}
