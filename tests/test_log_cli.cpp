// The event log from the command line: record, runs, show; bad input; a
// recorder killed mid-run; two recorders at once. The binary comes from
// GOREWIND_BIN (set by ctest).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/schema.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
using namespace gorewind::test;

TEST_CASE("logcli: record then show handoff under fifo, exactly", "[logcli]") {
  REQUIRE_FALSE(bin().empty());
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const Cli rec = cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db});
  CHECK(rec.code == 0);
  CHECK(rec.out == "run 1: ok (12 events)\n");
  CHECK(rec.err.empty());
  const Cli show = cli(dir, {"show", "1", "--db", db});
  CHECK(show.code == 0);
  CHECK(show.err.empty());
  CHECK(show.out ==
        " 1  0s      g0 runtime  spawn          g1 main\n"
        " 2  0s      g1 main     switch\n"
        " 3  0s      g1 main     make           chan value  cap=0 int  at scenarios/handoff.cpp:12\n"
        " 4  0s      g1 main     spawn          g2 sender  at scenarios/handoff.cpp:13\n"
        " 5  0s      g1 main     park           chan value  chan receive  at scenarios/handoff.cpp:14\n"
        " 6  0s      g2 sender   switch         at scenarios/handoff.cpp:13\n"
        " 7  0s      g2 sender   send           chan value  42  to g1  at scenarios/handoff.cpp:13\n"
        " 8  0s      g1 main     wake           by g2 (seq 7)  at scenarios/handoff.cpp:14\n"
        " 9  0s      g2 sender   exit           at scenarios/handoff.cpp:13\n"
        "10  0s      g1 main     switch         at scenarios/handoff.cpp:14\n"
        "11  0s      g1 main     recv           chan value  42  from g2 (seq 7)  at scenarios/handoff.cpp:14\n"
        "12  0s      g1 main     exit           at scenarios/handoff.cpp:14\n");
  const Cli sends = cli(dir, {"show", "1", "--db", db, "--kind", "send", "--json"});
  CHECK(sends.code == 0);
  CHECK(contains(sends.out, "\"seq\":7,"));
  CHECK(contains(sends.out, "\"value\":\"42\""));
  CHECK(std::count(sends.out.begin(), sends.out.end(), '\n') == 1);
  const Cli main_only = cli(dir, {"show", "1", "--db", db, "--goroutine", "2", "--from", "7", "--to", "8"});
  CHECK(main_only.out == " 7  0s      g2 sender   send           chan value  42  to g1  at scenarios/handoff.cpp:13\n");
  const Cli by_chan = cli(dir, {"show", "1", "--db", db, "--chan", "value"});
  CHECK(std::count(by_chan.out.begin(), by_chan.out.end(), '\n') == 4);  // make, park, send, recv
}

TEST_CASE("logcli: record exits like run; runs lists every run", "[logcli]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  CHECK(cli(dir, {"record", "close_twice", "--db", db}).out == "run 1: panic (17 events)\n");
  CHECK(cli(dir, {"record", "close_twice", "--db", db}).code == 1);
  const Cli ok = cli(dir, {"record", "prime_sieve", "--seed", "5", "--param", "n=5", "--db", db});
  CHECK(ok.code == 0);
  const Cli runs = cli(dir, {"runs", "--db", db});
  CHECK(runs.code == 0);
  std::istringstream lines(runs.out);
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  CHECK(header == "id  scenario     seed  strategy  outcome  events  state");
  CHECK(first == " 1  close_twice     1  random    panic        17  complete");
  const Cli json = cli(dir, {"runs", "--db", db, "--json"});
  CHECK(contains(json.out, "\"id\":3,\"scenario\":\"prime_sieve\",\"params\":{\"n\":\"5\"},\"seed\":5"));
  CHECK(contains(json.out, "\"state\":\"complete\""));
}

TEST_CASE("logcli: record --json is run --json of the same run plus the recorded run's id", "[logcli]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  // An ok run, a deadlock (blocked goroutines, the wait-for graph), a leak,
  // a panic and every race of a racy run: what only the child that ran the
  // program knows comes out whole.
  const std::vector<std::vector<std::string>> runs{
      {"handoff", "--strategy", "fifo"},
      {"chan_deadlock"},
      {"leaky_handler"},
      {"close_twice", "--seed", "3"},
      {"racy_counter", "--races", "all"},
  };
  std::int64_t id = 0;
  for (const std::vector<std::string>& args : runs) {
    INFO(args[0]);
    std::vector<std::string> run_args{"run"};
    run_args.insert(run_args.end(), args.begin(), args.end());
    run_args.push_back("--json");
    std::vector<std::string> record_args{"record"};
    record_args.insert(record_args.end(), args.begin(), args.end());
    record_args.insert(record_args.end(), {"--db", db, "--json"});
    const Cli run = cli(dir, run_args);
    const Cli recorded = cli(dir, record_args);
    ++id;
    CHECK(recorded.code == run.code);
    REQUIRE(run.out.size() > 2);
    // Every key of run --json with the same value, in the same order, then the run.
    CHECK(recorded.out == run.out.substr(0, run.out.size() - 2) + ",\"run\":" + std::to_string(id) + "}\n");
    const Json j = parse_json(recorded.out);
    CHECK(j.at("run").number == static_cast<double>(id));
    const Json row = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs").array.at(id - 1);
    CHECK(row.at("id").number == static_cast<double>(id));
    CHECK(row.at("outcome").string == j.at("outcome").string);
    CHECK(row.at("events").number == j.at("events").number);
    CHECK(row.at("trace_hash").string == j.at("trace_hash").string);
    if (args[0] == "chan_deadlock") {
      CHECK(j.at("outcome").string == "deadlock");
      CHECK_FALSE(j.at("blocked").array.empty());
    }
    if (args[0] == "racy_counter") {
      CHECK(j.at("outcome").string == "race");
      CHECK_FALSE(j.at("races").array.empty());
    }
  }
  // Bad input is still one line and no JSON.
  const Cli bad = cli(dir, {"record", "no_such_scenario", "--db", db, "--json"});
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
}

TEST_CASE("logcli: bad input is one line on stderr and exit 2", "[logcli]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  const std::string notes = dir.file("notes.txt");
  std::ofstream(notes) << "not a database, only text that goes on for a while to fill a header\n";
  const std::string newer = dir.file("newer.db");
  {
    st::Database d(newer, st::Database::Mode::CreateIfMissing);
    d.exec("CREATE TABLE t (x); PRAGMA user_version = " + std::to_string(st::kSchemaVersion + 1));
  }
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"show", "1", "--db", dir.file("missing.db")}, "no event log at"},
      {{"runs", "--db", dir.file("missing.db")}, "no event log at"},
      {{"runs", "--db", notes}, "is not a gorewind event log"},
      {{"show", "1", "--db", newer}, "newer than this build knows"},
      {{"show", "9", "--db", db}, "no run 9"},
      {{"show", "x", "--db", db}, "run: 'x' is not a run id"},
      {{"show", "1", "--db", db, "--kind", "bogus"}, "unknown event kind 'bogus'"},
      {{"show", "1", "--db", db, "--chan", "nope"}, "has no channel 'nope'"},
      {{"show", "1", "--db", db, "--from", "-1"}, "--from: '-1' is not a seq"},
      {{"record", "nope", "--db", db}, "unknown scenario 'nope'"},
      {{"record", "handoff", "--db", db, "--snapshot-every", "x"}, "--snapshot-every: 'x'"},
      {{"record", "handoff", "--db", newer}, "newer than this build knows"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args[0] << " " << args[1] << " ... expecting " << message);
    const Cli r = cli(dir, args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    REQUIRE(r.err.size() == 1);
    CHECK(contains(r.err[0], "gorewind: error: " ));
    CHECK(contains(r.err[0], message));
  }
  // Nothing recorded was lost on the way.
  CHECK(contains(cli(dir, {"runs", "--db", db}).out, "handoff"));
}

TEST_CASE("logcli: a corrupt value shows as <corrupt> and the listing goes on", "[logcli]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  {
    gr::test::events_as_rows(db);
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("UPDATE events SET value = x'0102ff' WHERE run = 1 AND seq = 7");
  }
  const Cli show = cli(dir, {"show", "1", "--db", db});
  CHECK(show.code == 0);
  CHECK(contains(show.out, " 7  0s      g2 sender   send           chan value  <corrupt>  to g1"));
  CHECK(std::count(show.out.begin(), show.out.end(), '\n') == 12);
}

TEST_CASE("logcli: every log command has help", "[logcli]") {
  gr::test::TempDir dir;
  for (const char* cmd : {"record", "runs", "show"}) {
    const Cli r = cli(dir, {cmd, "--help"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "--db"));
  }
}

TEST_CASE("logcli: a recorder killed mid-run leaves every earlier run intact", "[logcli]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "worker_pool", "--seed", "3", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "prime_sieve", "--seed", "2", "--db", db}).code == 0);
  const std::string before = cli(dir, {"show", "1", "--db", db, "--json"}).out + cli(dir, {"show", "2", "--db", db}).out;
  REQUIRE_FALSE(before.empty());
  // Kill points spread over the start-up, the first batches and later ones.
  // Those marked recording come once the run is in the log (however slow
  // the start, as under the sanitizers), so at least three kills cut a run.
  struct Kill {
    int delay_ms;
    bool recording;
  };
  const Kill kills[] = {{150, true}, {40, false}, {400, true}, {250, true}, {90, false}};
  int cut = 0;
  for (const Kill& kill : kills) {
    INFO("killed after " << kill.delay_ms << " ms" << (kill.recording ? " of recording" : ""));
    const int runs_before = 2 + cut;
    Process p(dir, {"record", "ping_pong", "--param", "n=5000000", "--strategy", "fifo", "--db", db,
                    "--snapshot-every", "1000"});
    if (kill.recording) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (;;) {
        st::Database d = st::open_log(db, st::Database::Mode::ExistingOnly);
        st::Statement count = d.prepare("SELECT count(*) FROM runs");
        REQUIRE(count.step());
        if (count.column_int(0) > runs_before) break;
        REQUIRE(std::chrono::steady_clock::now() < give_up);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kill.delay_ms));
    p.kill();
    CHECK(p.wait() == -1);
    {
      st::Database d = st::open_log(db, st::Database::Mode::ExistingOnly);
      st::Statement check = d.prepare("PRAGMA integrity_check");
      REQUIRE(check.step());
      CHECK(check.column_text(0) == "ok");
    }
    const Cli runs = cli(dir, {"runs", "--db", db});
    REQUIRE(runs.code == 0);
    CHECK_FALSE(contains(runs.out, "recording"));
    CHECK(contains(runs.out, "worker_pool"));
    const std::size_t n = static_cast<std::size_t>(std::count(runs.out.begin(), runs.out.end(), '\n'));
    if (n > 3 + static_cast<std::size_t>(cut)) ++cut;  // this kill left a run behind
    CHECK(std::count(runs.out.begin(), runs.out.end(), '\n') - 3 == cut);
    const std::string after = cli(dir, {"show", "1", "--db", db, "--json"}).out + cli(dir, {"show", "2", "--db", db}).out;
    CHECK(after == before);
  }
  const Cli runs = cli(dir, {"runs", "--db", db});
  std::size_t incomplete = 0;
  for (std::size_t p = runs.out.find("incomplete"); p != std::string::npos; p = runs.out.find("incomplete", p + 1))
    ++incomplete;
  CHECK(incomplete == static_cast<std::size_t>(cut));
  CHECK(cut >= 3);
  // And the file takes new runs.
  CHECK(cli(dir, {"record", "handoff", "--db", db}).code == 0);
}

TEST_CASE("logcli: three processes record into one new file at once", "[logcli]") {
  // Creating the file is the racy part (WAL switch, schema), so each round
  // starts a new one.
  gr::test::TempDir dir;
  for (int round = 0; round < 4; ++round) {
    const std::string db = dir.file("log" + std::to_string(round) + ".db");
    Process a(dir, {"record", "prime_sieve", "--seed", "1", "--db", db});
    Process b(dir, {"record", "worker_pool", "--seed", "2", "--db", db});
    Process c(dir, {"record", "handoff", "--db", db});
    CHECK(a.wait() == 0);
    CHECK(b.wait() == 0);
    CHECK(c.wait() == 0);
    CHECK(a.err().empty());
    CHECK(b.err().empty());
    CHECK(c.err().empty());
    const Cli runs = cli(dir, {"runs", "--db", db, "--json"});
    std::size_t complete = 0;
    for (std::size_t p = runs.out.find("\"complete\""); p != std::string::npos;
         p = runs.out.find("\"complete\"", p + 1))
      ++complete;
    CHECK(complete == 3);
  }
}

TEST_CASE("logcli: a disk that fills up while recording costs only the run being recorded", "[logcli]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "worker_pool", "--db", db}).code == 0);

  // A file-size limit stands in for a full disk: writes past it fail with
  // EFBIG (SIGXFSZ ignored, as a full disk's ENOSPC raises no signal). The
  // limit and the disposition pass to the child; this process keeps both
  // only for the spawn.
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit small = saved;
  small.rlim_cur = 400 * 1024;
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  Process big(dir, {"record", "ping_pong", "--param", "n=5000", "--db", db});  // ~58,000 events, ~2 MB
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  CHECK(big.wait() == 2);
  CHECK(big.out().empty());
  CHECK(big.err() == std::vector<std::string>{"gorewind: error: " + db +
                                              ": disk I/O error while writing (the disk may be full, or the file over "
                                              "a size limit)"});

  // The runs before it are whole and replay; the file takes new runs.
  const Cli runs = cli(dir, {"runs", "--db", db});
  CHECK(contains(runs.out, " 1  handoff "));
  CHECK(contains(runs.out, " 2  worker_pool "));
  CHECK(contains(runs.out, " 3  ping_pong "));
  CHECK(contains(runs.out, "incomplete"));
  CHECK(cli(dir, {"replay", "1", "--db", db}).out == "replayed run 1: identical (15 events)\n");
  CHECK(cli(dir, {"replay", "2", "--db", db}).code == 0);
  CHECK(cli(dir, {"record", "handoff", "--db", db}).out == "run 4: ok (15 events)\n");
}
