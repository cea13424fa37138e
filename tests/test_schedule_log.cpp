// Schedules in the event log: every recorded run keeps its decisions, and a
// log of schema version 1 upgrades in place.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>

#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;

namespace {

// many_decisions() makes more decisions than one schedule chunk holds.
void many_decisions() {
  for (int g = 0; g < 4; ++g)
    gr::go([] {
      for (int i = 0; i < 20000; ++i) gr::yield();
    });
  for (int i = 0; i < 20000; ++i) gr::yield();
}

// decisions_of() runs fn as record_run() would and returns its decisions.
std::vector<gr::Choice> decisions_of(void (*fn)(), const std::string& strategy, std::uint64_t seed) {
  auto recording = std::make_shared<gr::RecordingStrategy>(gr::make_strategy(strategy));
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = recording;
  gr::run(fn, o);
  return recording->choices();
}

}  // namespace

TEST_CASE("schedule log: record_run stores every decision, in chunks", "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  for (const char* name : {"close_twice", "dining_philosophers", "handoff"}) {
    gr::RunOptions o;
    o.seed = 7;
    o.strategy = gr::make_strategy("random");
    o.scenario = name;
    const auto r = gr::record::record_run(gr::find_scenario(name)->body, o, db);
    const auto stored = st::EventLogReader(db).schedule(r.recorded.id);
    REQUIRE(stored);
    CHECK(*stored == decisions_of(gr::find_scenario(name)->body, "random", 7));
    CHECK(st::EventLogReader(db).run(r.recorded.id).strategy == "random");
  }

  gr::RunOptions o;
  o.strategy = gr::make_strategy("random");
  const auto big = gr::record::record_run(many_decisions, o, db, {.snapshot_every = 0, .writer = {}});
  const std::vector<gr::Choice> expected = decisions_of(many_decisions, "random", 1);
  REQUIRE(expected.size() > 65536);
  st::EventLogReader log(db);
  st::Database raw = st::open_log(db, st::Database::Mode::ReadOnly);  // as the reader sees it
  CHECK(raw.query_int("SELECT count(*) FROM schedules WHERE run = " + std::to_string(big.recorded.id)) ==
        2);
  CHECK(log.schedule(big.recorded.id) == expected);
}

TEST_CASE("schedule log: a run recorded by a bare Recorder has no schedule; fifo's is empty", "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const auto bare = gr::test::record_scenario(db, "handoff", "random", 1);
  CHECK_FALSE(st::EventLogReader(db).schedule(bare.saved.id));

  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  const auto fifo = gr::record::record_run(gr::find_scenario("handoff")->body, o, db);
  const auto stored = st::EventLogReader(db).schedule(fifo.recorded.id);
  REQUIRE(stored);
  CHECK(*stored == decisions_of(gr::find_scenario("handoff")->body, "fifo", 1));
  CHECK_THROWS_WITH(st::EventLogReader(db).schedule(99), Catch::Contains("no run 99"));
}

TEST_CASE("schedule log: a version 1 log is read as it is, upgraded in place by a writer, and keeps its runs",
          "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("v1.db");
  const auto old = gr::test::record_scenario(db, "close_twice", "random", 3);
  {
    // What a version 1 file is: today's schema without the schedules table
    // the runs' program, and version 4's race mode and race event kind.
    gr::test::events_as_rows(db);
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("ALTER TABLE runs DROP COLUMN hash_algorithm; DROP TABLE schedules; ALTER TABLE runs DROP COLUMN program; "
           "ALTER TABLE runs DROP COLUMN race_mode; DELETE FROM event_kinds WHERE name = 'race'; PRAGMA user_version = 1");
  }
  {
    st::EventLogReader log(db);
    st::Database raw = st::open_log(db, st::Database::Mode::ReadOnly);  // as the reader sees it
    CHECK(raw.query_int("PRAGMA user_version") == 1);
    CHECK(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'schedules'") == 0);
    const st::RunRow row = log.run(old.saved.id);
    CHECK(row.events == old.result.events);
    CHECK(row.trace_hash == old.saved.trace_hash);
    CHECK_FALSE(log.schedule(old.saved.id));
  }
  gr::RunOptions o;
  o.seed = 3;
  o.strategy = gr::make_strategy("random");
  const auto fresh = gr::record::record_run(gr::find_scenario("close_twice")->body, o, db);
  CHECK(st::log_version(db) == st::kSchemaVersion);
  CHECK(st::EventLogReader(db).schedule(fresh.recorded.id) ==
        decisions_of(gr::find_scenario("close_twice")->body, "random", 3));
  CHECK(fresh.recorded.trace_hash == old.saved.trace_hash);
}

TEST_CASE("schedule log: a version 3 log is read as it is, upgraded in place by a writer; a run's race mode is kept "
          "for replay",
          "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("v3.db");
  const auto old = gr::test::record_scenario(db, "close_twice", "random", 3);
  {
    // What a version 3 file is: today's schema without version 4's race
    // mode and race event kind.
    gr::test::events_as_rows(db);
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("ALTER TABLE runs DROP COLUMN hash_algorithm; ALTER TABLE runs DROP COLUMN race_mode; "
           "DELETE FROM event_kinds WHERE name = 'race'; PRAGMA user_version = 3");
  }
  {
    st::EventLogReader log(db);
    st::Database raw = st::open_log(db, st::Database::Mode::ReadOnly);  // as the reader sees it
    CHECK(raw.query_int("PRAGMA user_version") == 3);
    CHECK_FALSE(raw.query_int("SELECT id FROM event_kinds WHERE name = 'race'"));
    // Recorded before the detector existed: as if it had been off.
    CHECK(log.run(old.saved.id).race_mode == gr::RaceMode::Off);
  }
  // racy_counter under --races all goes on past its first race; a replay
  // that did not know would stop there and diverge.
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.races = gr::RaceMode::All;
  const auto racy = gr::record::record_run(gr::find_scenario("racy_counter")->body, o, db);
  REQUIRE(racy.result.races.size() == 2);
  st::EventLogReader log(db);
  st::Database raw = st::open_log(db, st::Database::Mode::ReadOnly);  // as the reader sees it
  CHECK(raw.query_int("SELECT id FROM event_kinds WHERE name = 'race'") ==
        static_cast<int>(gr::EventKind::Race));
  CHECK(log.run(racy.recorded.id).race_mode == gr::RaceMode::All);
  CHECK(log.run(racy.recorded.id).outcome == "race");
  const gr::replay::ReplayResult r = gr::replay::replay_run(gr::find_scenario("racy_counter")->body, log, racy.recorded.id);
  CHECK(r.identical());
  CHECK(r.result.races == racy.result.races);
}
