// replay and state from the command line: exact output, the exit codes, a
// tampered log, bad input.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/schema.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

namespace st = gorewind::storage;
using namespace gorewind::test;

namespace {

// sql() runs statement on the log at db as it is, its events made rows
// first (SQL edits those; the events table over chunks is read only).
void sql(const std::string& db, const std::string& statement) {
  if (st::log_version(db) >= st::kChunkedEventsVersion) events_as_rows(db);
  st::Database d(db, st::Database::Mode::ExistingOnly);
  d.exec(statement);
}

}  // namespace

TEST_CASE("replaycli: replay is identical; --record adds a run that replays too", "[replaycli]") {
  REQUIRE_FALSE(bin().empty());
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "close_twice", "--db", db}).code == 1);
  const Cli ok = cli(dir, {"replay", "1", "--db", db});
  CHECK(ok.code == 0);
  CHECK(ok.out == "replayed run 1: identical (12 events)\n");
  CHECK(ok.err.empty());
  const Cli panic = cli(dir, {"replay", "2", "--db", db, "--record"});
  CHECK(panic.code == 0);
  CHECK(panic.out == "replayed run 2: identical (17 events)\nrecorded as run 3\n");
  CHECK(cli(dir, {"replay", "3", "--db", db}).out == "replayed run 3: identical (17 events)\n");
  CHECK(contains(cli(dir, {"runs", "--db", db}).out, "replay"));
}

TEST_CASE("replaycli: a log that differs from the run is a divergence; --then goes on", "[replaycli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  sql(db, "UPDATE events SET value = 43 WHERE run = 1 AND seq = 7");
  const Cli strict = cli(dir, {"replay", "1", "--db", db});
  CHECK(strict.code == 1);
  CHECK(strict.out ==
        "replayed run 1: diverged at seq 7\n"
        "  expected:  7  0s      g2 sender   send           chan value  43  to g1  at scenarios/handoff.cpp:13\n"
        "  actual:    7  0s      g2 sender   send           chan value  42  to g1  at scenarios/handoff.cpp:13\n"
        "  site:     scenarios/handoff.cpp:13\n");
  const Cli tolerant = cli(dir, {"replay", "1", "--db", db, "--then", "random", "--seed", "5"});
  CHECK(tolerant.code == 0);
  CHECK(contains(tolerant.out, "replayed run 1: the recording stopped matching at seq 7\n"));
  CHECK(contains(tolerant.out, "then: ok (12 events)\n"));

  // Another build: a warning, and the check decides.
  sql(db, "UPDATE events SET value = 42 WHERE run = 1 AND seq = 7; UPDATE runs SET build = 'gorewind 0.0 other'");
  const Cli other = cli(dir, {"replay", "1", "--db", db});
  CHECK(other.code == 0);
  CHECK(other.out == "replayed run 1: identical (12 events)\n");
  REQUIRE(other.err.size() == 1);
  CHECK(contains(other.err[0], "gorewind: warning: run 1 was recorded by another build (gorewind 0.0 other)"));
}

TEST_CASE("replaycli: replay --json says what the text says: identical, the divergence, then, recorded",
          "[replaycli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  const Cli recorded = cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db, "--json"});
  REQUIRE(recorded.code == 0);
  const Json run = parse_json(recorded.out);

  const Cli same = cli(dir, {"replay", "1", "--db", db, "--json"});
  CHECK(same.code == 0);
  Json j = parse_json(same.out);
  CHECK(j.at("run").number == 1);
  CHECK(j.at("identical").boolean);
  CHECK(j.at("events").number == 12);
  CHECK(j.at("divergence").type == Json::Type::Null);
  CHECK(j.at("then").type == Json::Type::Null);
  CHECK(j.at("recorded").type == Json::Type::Null);
  CHECK(j.at("result").at("outcome").string == "ok");
  CHECK(j.at("result").at("strategy").string == "replay");
  CHECK(j.at("result").at("trace_hash").string == run.at("trace_hash").string);
  CHECK(j.at("result").at("events").number == 12);

  const Cli again = cli(dir, {"replay", "1", "--db", db, "--json", "--record"});
  CHECK(again.code == 0);
  CHECK(parse_json(again.out).at("recorded").number == 2);
  CHECK(parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs").array.at(1).at("strategy").string ==
        "replay");

  sql(db, "UPDATE events SET value = 43 WHERE run = 1 AND seq = 7");
  const Cli strict = cli(dir, {"replay", "1", "--db", db, "--json"});
  CHECK(strict.code == 1);
  j = parse_json(strict.out);
  CHECK_FALSE(j.at("identical").boolean);
  const Json& d = j.at("divergence");
  CHECK(d.at("seq").number == 7);
  CHECK(d.at("expected").at("seq").number == 7);
  CHECK(d.at("expected").at("kind").string == "send");
  CHECK(d.at("expected").at("value").string == "43");
  CHECK(d.at("actual").at("value").string == "42");
  CHECK(d.at("site").string == "scenarios/handoff.cpp:13");

  const Cli tolerant = cli(dir, {"replay", "1", "--db", db, "--json", "--then", "random"});
  CHECK(tolerant.code == 0);
  j = parse_json(tolerant.out);
  CHECK_FALSE(j.at("identical").boolean);
  CHECK(j.at("divergence").at("seq").number == 7);
  CHECK(j.at("then").at("strategy").string == "random");
  // The schedule applied to the end: the strategy never decided.
  CHECK(j.at("then").at("from_decision").type == Json::Type::Null);
  CHECK(j.at("then").at("decisions").type == Json::Type::Number);
  CHECK(j.at("result").at("outcome").string == "ok");
  CHECK(j.at("result").at("strategy").string == "replay+random");
  CHECK(j.at("result").at("seed").number == run.at("seed").number);
  CHECK(j.at("events").number == 12);
}

TEST_CASE("replaycli: replay --then S --seed N goes on as run --strategy S --seed N would", "[replaycli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  // The recording stops applying part of the way. random: the program
  // changed, ping_pong makes more round trips than recorded. pct, whose run
  // length is measured from the program, so that another program is another
  // pct: the recording lost its last decisions (each takes 3 bytes here: a
  // kind and two one-byte varints).
  for (const std::string strategy : {"random", "pct"}) {
    INFO(strategy);
    const Cli recorded =
        cli(dir, {"record", "ping_pong", "--param", "n=2", "--strategy", strategy, "--seed", "4", "--db", db, "--json"});
    REQUIRE(recorded.code == 0);
    const std::string id = std::to_string(static_cast<int>(parse_json(recorded.out).at("run").number));
    std::string n = "2";
    if (strategy == "random") {
      n = "5";
      sql(db, "UPDATE run_params SET value = '5' WHERE run = " + id + " AND key = 'n'");
    } else {
      sql(db, "UPDATE schedules SET choices = 7, data = substr(data, 1, 21) WHERE run = " + id);
    }
    const Cli changed = cli(dir, {"run", "ping_pong", "--param", "n=" + n, "--strategy", strategy, "--seed", "4", "--json"});
    REQUIRE(changed.code == 0);
    const Json live = parse_json(changed.out);

    const Cli replay = cli(dir, {"replay", id, "--db", db, "--then", strategy, "--seed", "4", "--json"});
    CHECK(replay.code == 0);
    const Json j = parse_json(replay.out);
    if (strategy == "random") {
      CHECK_FALSE(j.at("identical").boolean);
      CHECK(j.at("then").at("from_decision").type == Json::Type::Number);
    } else {
      // The same pct made the lost decisions: the same events again.
      CHECK(j.at("identical").boolean);
      CHECK(j.at("then").at("from_decision").number == 7);
    }
    // From where the recording stopped applying, the strategy decided as it
    // would have in a run of its own: the whole run is that run.
    CHECK(j.at("result").at("trace_hash").string == live.at("trace_hash").string);
    CHECK(j.at("result").at("events").number == live.at("events").number);
    CHECK(j.at("result").at("seed").number == 4);

    // Another seed is the re-execution's seed.
    const Cli other = cli(dir, {"replay", id, "--db", db, "--then", strategy, "--seed", "9", "--json"});
    CHECK(parse_json(other.out).at("result").at("seed").number == 9);
  }
}

TEST_CASE("replaycli: state at a seq of a fifo run, exactly", "[replaycli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  const Cli text = cli(dir, {"state", "1", "--at", "5", "--db", db});
  CHECK(text.code == 0);
  CHECK(text.out ==
        "run 1 (handoff) at seq 5 of 12, virtual time 0s\n"
        "\n"
        "goroutine 1 [chan receive on value]:\n"
        "main\n"
        "\tscenarios/handoff.cpp:14\n"
        "\n"
        "goroutine 2 [runnable]:\n"
        "sender\n"
        "\t(not started)\n"
        "created by goroutine 1\n"
        "\n"
        "channels:\n"
        "  value  chan int  cap 0  buffer []  senders []  receivers [g1]\n");
  const Cli json = cli(dir, {"state", "1", "--at", "5", "--db", db, "--json"});
  CHECK(json.code == 0);
  CHECK(json.out ==
        "{\"run\":1,\"scenario\":\"handoff\",\"seq\":5,\"vtime_ns\":0,\"goroutines\":[{\"id\":1,\"name\":\"main\","
        "\"parent\":0,\"state\":\"blocked\",\"wait_reason\":\"chan receive\",\"waiting_on\":{\"kind\":\"chan\",\"id\":1,"
        "\"name\":\"value\"},\"site\":\"scenarios/handoff.cpp:14\",\"offering\":\"\"},{\"id\":2,\"name\":\"sender\","
        "\"parent\":1,\"state\":\"runnable\",\"wait_reason\":null,\"waiting_on\":null,\"site\":\"\",\"offering\":\"\"}],"
        "\"channels\":[{\"id\":1,\"name\":\"value\",\"type\":\"int\",\"cap\":0,\"closed\":false,\"buffer\":[],"
        "\"senders\":[],\"receivers\":[1]}],\"locks\":[],\"wait_groups\":[],\"watched\":{},\"gmp\":null}\n");
  const Cli end = cli(dir, {"state", "1", "--at", "12", "--db", db});
  CHECK(end.out == "run 1 (handoff) at seq 12 of 12, virtual time 0s\n\nno goroutines\n\nchannels:\n"
                   "  value  chan int  cap 0  buffer []  senders []  receivers []\n");
}

TEST_CASE("replaycli: bad input is one line on stderr and exit 2", "[replaycli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  sql(db, "UPDATE runs SET scenario = 'gone' WHERE id = 2; DELETE FROM schedules WHERE run = 3");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"replay", "9", "--db", db}, "no run 9"},
      {{"replay", "1", "--db", dir.file("missing.db")}, "no event log at"},
      {{"replay", "2", "--db", db}, "run 2 is of scenario 'gone', which this program does not have"},
      {{"replay", "3", "--db", db}, "run 3 has no recorded schedule"},
      {{"replay", "1", "--db", db, "--then", "dfs"}, "--then: 'dfs' is not random or pct"},
      {{"replay", "1", "--db", db, "--seed", "3"}, "--seed: give it with --then; a replay without --then runs with "
                                                   "the recorded run's seed"},
      {{"replay", "1", "--db", db, "--then", "random", "--seed", "-1"}, "--seed: '-1' is not a seed"},
      {{"state", "9", "--at", "1", "--db", db}, "no run 9"},
      {{"state", "1", "--at", "16", "--db", db}, "seq 16 is beyond run 1, which has 15 events"},
      {{"state", "1", "--at", "x", "--db", db}, "--at: 'x' is not a seq"},
      {{"state", "1", "--at", "1", "--db", dir.file("missing.db")}, "no event log at"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args[0] << " " << args[1] << " ... expecting " << message);
    const Cli r = cli(dir, args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    REQUIRE(r.err.size() == 1);
    CHECK(contains(r.err[0], "gorewind: error: "));
    CHECK(contains(r.err[0], message));
  }
}

TEST_CASE("replaycli: --stop-at traps inside the goroutine at the event, under gdb; without one it says how", "[replaycli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "close_twice", "--strategy", "fifo", "--db", db}).code == 1);
  // Event 11 of close_twice under fifo is g2's close (the first of two).
  const std::string close = cli(dir, {"show", "1", "--from", "11", "--to", "11", "--db", db}).out;
  REQUIRE(contains(close, " g2 worker_a  close "));

  const Cli bare = cli(dir, {"replay", "1", "--db", db, "--stop-at", "11"});
  CHECK(bare.code == 2);
  CHECK(bare.out.empty());
  CHECK(bare.err == std::vector<std::string>{"gorewind: error: --stop-at needs a debugger: gdb -ex run --args " +
                                             bin() + " replay 1 --db " + db + " --stop-at 11"});
  CHECK(cli(dir, {"replay", "1", "--db", db, "--stop-at", "16"}).err ==
        std::vector<std::string>{"gorewind: error: --stop-at: run 1 has events 1 to 15"});

  if (std::system("gdb --version >/dev/null 2>&1") != 0) {
    WARN("gdb is not installed: the stop itself is not tested");
    return;
  }
  const std::string out = dir.file("gdb.out");
  const std::string command = "gdb -nx -batch -ex run -ex bt -ex continue --args " + bin() + " replay 1 --db " + db +
                              " --stop-at 11 >" + out + " 2>&1";
  CHECK(std::system(command.c_str()) == 0);
  std::ifstream in(out);
  const std::string session((std::istreambuf_iterator<char>(in)), {});
  CHECK(contains(session, "gorewind: stopped at seq 11: g2 close at scenarios/close_twice.cpp:18;"));
  CHECK(contains(session, "SIGTRAP"));
  // The trap is raised on the goroutine's own stack, in its close.
  CHECK(contains(session, "close_now"));
  CHECK(contains(session, "replayed run 1: identical (15 events)"));
}
