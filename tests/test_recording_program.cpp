// The program that recorded a run: stored with it (schema 3, migrated from
// 2), carried by merge, and named by the standalone CLI when it lacks the
// run's scenario; commands that need no scenario code work on any log.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <gorewind/record/record_run.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/log_merge.hpp>
#include <gorewind/storage/schema.hpp>

#include "cli_support.hpp"
#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
using namespace gorewind::test;

namespace {

// record_as() records, from this process, seed 1 of a built-in scenario's
// body into db as a run of scenario `name`.
std::int64_t record_as(const std::string& db, const std::string& name, const char* body, const char* strategy) {
  gr::RunOptions o;
  o.seed = 1;
  o.strategy = gr::make_strategy(strategy);
  o.scenario = name;
  return gr::record::record_run(gr::find_scenario(body)->body, o, db).recorded.id;
}

}  // namespace

TEST_CASE("recording program: stored with each run; a version 2 log is read as it is, upgraded by a writer; merge "
          "keeps it",
          "[storage]") {
  TempDir dir;
  const std::string db = dir.file("v2.db");
  const Recording old = record_scenario(db, "handoff", "fifo", 1);
  CHECK(st::EventLogReader(db).run(old.saved.id).program == "gorewind_tests");
  {
    // What a version 2 file is: today's schema without the runs' program
    // (and without version 4's race mode and race event kind).
    events_as_rows(db);
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("ALTER TABLE runs DROP COLUMN hash_algorithm; ALTER TABLE runs DROP COLUMN program; "
           "ALTER TABLE runs DROP COLUMN race_mode; DELETE FROM event_kinds WHERE name = 'race'; PRAGMA user_version = 2");
  }
  {
    st::EventLogReader log(db);
    st::Database raw = st::open_log(db, st::Database::Mode::ReadOnly);  // as the reader sees it
    CHECK(raw.query_int("PRAGMA user_version") == 2);
    CHECK(raw.query_int("SELECT count(*) FROM runs WHERE program IS NULL") == 1);
    const st::RunRow row = log.run(old.saved.id);
    CHECK(row.program.empty());
    CHECK(row.events == 12);
    CHECK(row.trace_hash == old.saved.trace_hash);
  }
  const std::int64_t fresh = record_as(db, "handoff", "handoff", "fifo");
  CHECK(st::EventLogReader(db).run(fresh).program == "gorewind_tests");
  CHECK(st::log_version(db) == st::kSchemaVersion);

  const std::string merged = dir.file("merged.db");
  st::merge_logs(merged, {db});
  st::EventLogReader out(merged);
  const std::vector<st::RunRow> runs = out.runs();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].program.empty());
  CHECK(runs[1].program == "gorewind_tests");
}

TEST_CASE("replaycli: a run of a scenario the binary lacks names the program that recorded it", "[replaycli]") {
  REQUIRE_FALSE(bin().empty());
  TempDir dir;
  const std::string db = dir.file("log.db");
  // Recorded by this test binary (gorewind_tests) under names gorewind lacks.
  REQUIRE(record_as(db, "tests_only_close_twice", "close_twice", "random") == 1);
  REQUIRE(record_as(db, "handoff", "handoff", "fifo") == 2);

  const std::vector<std::string> lacks{
      "gorewind: error: run 1 is of scenario 'tests_only_close_twice' recorded by 'gorewind_tests'; re-run the "
      "command with that program"};
  for (const char* cmd : {"replay", "minimize"}) {
    INFO(cmd);
    const Cli r = cli(dir, {cmd, "1", "--db", db});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == lacks);
  }

  // What needs no scenario code works on the run all the same.
  const Cli runs = cli(dir, {"runs", "--db", db});
  CHECK(runs.code == 0);
  CHECK(runs.out ==
        "id  scenario                seed  strategy  outcome  events  state\n"
        " 1  tests_only_close_twice     1  random    panic        17  complete\n"
        " 2  handoff                    1  fifo      ok           12  complete\n");
  const Cli json = cli(dir, {"runs", "--db", db, "--json"});
  CHECK(contains(json.out, "\"strategy\":\"random\",\"build\":"));
  CHECK(contains(json.out, "\"program\":\"gorewind_tests\",\"started_at\":"));
  const Cli show = cli(dir, {"show", "1", "--db", db, "--from", "17"});
  CHECK(show.code == 0);
  CHECK(show.out ==
        "17  0s      g3 worker_b  panic          \"close of closed channel\"  at scenarios/close_twice.cpp:18\n");
  const Cli state = cli(dir, {"state", "1", "--at", "10", "--db", db});
  CHECK(state.code == 0);
  CHECK(contains(state.out, "run 1 (tests_only_close_twice) at seq 10 of 17, virtual time 0s\n"));
  const std::string script = dir.file("debug.in");
  std::ofstream(script) << "back\n";
  const Cli debug = cli(dir, {"debug", "1", "--db", db}, script);
  CHECK(debug.code == 0);
  CHECK(debug.out ==
        "run 1 (tests_only_close_twice): panic (17 events)\n"
        "17  0s      g3 worker_b  panic          \"close of closed channel\"  at scenarios/close_twice.cpp:18\n"
        "16  0s      g3 worker_b  switch         at scenarios/close_twice.cpp:17\n");

  // merge carries the program with the run.
  const std::string merged = dir.file("merged.db");
  const Cli merge = cli(dir, {"merge", merged, db});
  CHECK(merge.code == 0);
  CHECK(merge.out == db + ": run 1 -> run 1\n" + db + ": run 2 -> run 2\nmerged 2 runs into " + merged + "\n");
  CHECK(cli(dir, {"replay", "1", "--db", merged}).err == lacks);

  // A run of a scenario the binary has replays, whoever recorded it.
  const Cli replay = cli(dir, {"replay", "2", "--db", db});
  CHECK(replay.code == 0);
  CHECK(replay.out == "replayed run 2: identical (12 events)\n");

  // A run recorded before schema 3 names no program.
  {
    st::Database d = st::open_log(db, st::Database::Mode::ExistingOnly);
    d.exec("UPDATE runs SET program = NULL WHERE id = 1");
  }
  const Cli unknown = cli(dir, {"replay", "1", "--db", db});
  CHECK(unknown.code == 2);
  CHECK(unknown.err == std::vector<std::string>{"gorewind: error: run 1 is of scenario 'tests_only_close_twice', "
                                                "which this program does not have (see '" + bin() + " list')"});
}
