// test_race_cli.cpp: data races through the CLI: the report, --races, the
// log (record, runs, show) and replay.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "cli_support.hpp"

namespace gr = gorewind;
using namespace gorewind::test;

TEST_CASE("racecli: run reports both accesses of the race and exits 1", "[racecli]") {
  REQUIRE_FALSE(bin().empty());
  TempDir dir;
  const Cli r = cli(dir, {"run", "racy_counter", "--strategy", "fifo"});
  CHECK(r.code == 1);
  CHECK(r.err.empty());
  // fifo: worker g2 makes both its increments, then g3 loads what g2 stored.
  CHECK(r.out ==
        "WARNING: DATA RACE on n\n"
        "Load by goroutine 3 (worker):\n"
        "\tscenarios/racy_counter.cpp:20 (seq 20)\n"
        "\n"
        "Previous store by goroutine 2 (worker):\n"
        "\tscenarios/racy_counter.cpp:20 (seq 16)\n"
        "\n"
        "reproduce: " + bin() + " run racy_counter --seed 1 --strategy fifo\n"
        "race  racy_counter  seed=1 strategy=fifo events=21 vtime=0s goroutines=4 trace=48e24c654cdd5f9c\n");
}

TEST_CASE("racecli: --races all reports every distinct pair, in JSON too; off finds none", "[racecli]") {
  TempDir dir;
  const Cli all = cli(dir, {"run", "racy_counter", "--strategy", "fifo", "--races", "all", "--json"});
  CHECK(all.code == 1);
  CHECK(contains(all.out, "\"outcome\":\"race\""));
  CHECK(contains(all.out, "\"races\":[{\"cell\":\"n\",\"later\":{\"goroutine\":{\"id\":3,\"name\":\"worker\"},\"access\":\"load\",\"site\":{\"file\":\"scenarios/racy_counter.cpp\",\"line\":20,\"function\":\"gorewind_scenario_body_0()::<lambda()>\"},\"seq\":20},\"earlier\":{\"goroutine\":{\"id\":2,\"name\":\"worker\"},\"access\":\"store\",\"site\":{\"file\":\"scenarios/racy_counter.cpp\",\"line\":20,\"function\":\"gorewind_scenario_body_0()::<lambda()>\"},\"seq\":16}},{\"cell\":\"n\",\"later\":{\"goroutine\":{\"id\":3,\"name\":\"worker\"},\"access\":\"store\",\"site\":{\"file\":\"scenarios/racy_counter.cpp\",\"line\":20,\"function\":\"gorewind_scenario_body_0()::<lambda()>\"},\"seq\":22},\"earlier\":{\"goroutine\":{\"id\":2,\"name\":\"worker\"},\"access\":\"store\",\"site\":{\"file\":\"scenarios/racy_counter.cpp\",\"line\":20,\"function\":\"gorewind_scenario_body_0()::<lambda()>\"},\"seq\":16}}]"));
  const Cli text = cli(dir, {"run", "racy_counter", "--strategy", "fifo", "--races", "all"});
  CHECK(contains(text.out, "\nFound 2 data races\n"));
  CHECK(contains(text.out, "reproduce: " + bin() + " run racy_counter --seed 1 --strategy fifo --races all\n"));
  const Cli off = cli(dir, {"run", "racy_counter", "--strategy", "fifo", "--races", "off", "--json"});
  CHECK(off.code == 0);
  CHECK(contains(off.out, "\"outcome\":\"ok\""));
  CHECK(contains(off.out, "\"races\":[]"));
  const Cli bad = cli(dir, {"run", "racy_counter", "--races", "some"});
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err == std::vector<std::string>{"gorewind: error: --races: 'some' is not first, all or off"});
}

TEST_CASE("racecli: a race is recorded, listed, shown, replayed; explore finds it at once", "[racecli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  const Cli rec = cli(dir, {"record", "racy_counter", "--strategy", "fifo", "--races", "all", "--db", db});
  CHECK(rec.code == 1);
  CHECK(rec.out == "run 1: race (39 events)\n");
  const Cli runs = cli(dir, {"runs", "--db", db, "--json"});
  CHECK(contains(runs.out, "\"outcome\":\"race\",\"message\":\"data race on n: load by goroutine 3 (worker)"));
  CHECK(contains(runs.out, "\"race_mode\":\"all\""));
  const Cli show = cli(dir, {"show", "1", "--kind", "race", "--db", db});
  CHECK(show.code == 0);
  CHECK(show.out ==
        "21  0s      g3 worker   race           shared n  \"data race on n: load by goroutine 3 (worker) at "
        "scenarios/racy_counter.cpp:20 (seq 20) and earlier store by goroutine 2 (worker) at "
        "scenarios/racy_counter.cpp:20 (seq 16)\"  at scenarios/racy_counter.cpp:20\n"
        "23  0s      g3 worker   race           shared n  \"data race on n: store by goroutine 3 (worker) at "
        "scenarios/racy_counter.cpp:20 (seq 22) and earlier store by goroutine 2 (worker) at "
        "scenarios/racy_counter.cpp:20 (seq 16)\"  at scenarios/racy_counter.cpp:20\n");
  const Cli replay = cli(dir, {"replay", "1", "--db", db});
  CHECK(replay.code == 0);
  CHECK(replay.out == "replayed run 1: identical (39 events)\n");
  const Cli explore = cli(dir, {"explore", "racy_counter", "--runs", "50", "--db", db});
  CHECK(explore.code == 1);
  CHECK(contains(explore.out, "explored 1 schedule of racy_counter (portfolio)"));
  CHECK(contains(explore.out, "\nrace at scenarios/racy_counter.cpp:20: data race on n: "));
}
