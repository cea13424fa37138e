// gorewind::explore inside Catch2 tests (<gorewind/catch2.hpp>): the failure
// message names the seed and the command that replays it, and that command,
// run, replays exactly that seed in that test.
#include <catch2/catch.hpp>

#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include <gorewind/catch2.hpp>
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

// kHiddenTest is the name of the hidden test below that the replay command
// runs: it explores flaky_order and fails.
constexpr const char* kHiddenTest = "catch2: flaky_order explored, failing (run by the replay test)";

void flaky_order() { gr::find_scenario("flaky_order")->body(); }

gr::ExploreOptions from_seed_2(const char* strategy) {
  gr::ExploreOptions o;
  o.strategy = strategy;
  o.runs = 20000;
  o.seed_start = 2;
  return o;
}

// SeedVariable sets GOREWIND_SEED for one scope.
class SeedVariable {
 public:
  explicit SeedVariable(const std::string& value) { setenv(gr::catch2::kSeedVariable, value.c_str(), 1); }
  ~SeedVariable() { unsetenv(gr::catch2::kSeedVariable); }
  SeedVariable(const SeedVariable&) = delete;
  SeedVariable& operator=(const SeedVariable&) = delete;
};

// output_of() runs a shell command and returns its stdout and stderr.
std::string output_of(const std::string& command, int* status) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  *status = pclose(p);
  return out;
}

}  // namespace

TEST_CASE("catch2: the failure message names the seed and the command that replays it", "[catch2]") {
  const gr::ExploreResult r = gr::catch2::explore(flaky_order, from_seed_2("random"));
  REQUIRE(r.failures.size() == 1);
  CHECK(gr::catch2::failure_message(r, "build/tests/my_tests", "config, published [flaky]") ==
        "explored 22 schedules (random, 3 traces): 1 failure; first: seed 23, check_failed: the value is there once ready is "
        "set at scenarios/flaky_order.cpp:62. Replay it with RunOptions{.seed = 23, .strategy = "
        "make_strategy(\"random\", ...)}, or ScriptedStrategy(failures[0].schedule)\n"
        "replay: GOREWIND_SEED=23 build/tests/my_tests 'config\\, published \\[flaky\\]'");
  CHECK(gr::catch2::failure_message(r, "/opt/my tests", "it's") ==
        r.summary() + "\nreplay: GOREWIND_SEED=23 '/opt/my tests' 'it'\\''s'");

  // dfs names no seed to replay from the command line; a passing search has no command.
  gr::ExploreOptions dfs;
  dfs.strategy = "dfs";
  const gr::ExploreResult d = gr::catch2::explore(flaky_order, dfs);
  REQUIRE_FALSE(d.ok());
  CHECK(gr::catch2::failure_message(d, "t", "x") == d.summary());
  gr::ExploreOptions few;
  few.runs = 50;
  const gr::ExploreResult ok = gr::catch2::explore(gr::find_scenario("handoff")->body, few);
  CHECK(gr::catch2::failure_message(ok, "t", "x") ==
        "explored 50 schedules (portfolio, 2 traces): 0 failures in 50 schedules under portfolio: the failure rate "
        "per schedule under portfolio is below 3/50 = 0.06 with 95% confidence");
  GOREWIND_REQUIRE_NO_FAILURE(ok);
}

TEST_CASE("catch2: GOREWIND_SEED runs that one seed, the same schedule as in the whole search", "[catch2]") {
  for (const char* strategy : {"random", "pct"}) {
    INFO(strategy);
    const gr::ExploreResult whole = gr::explore(flaky_order, from_seed_2(strategy));
    REQUIRE(whole.failures.size() == 1);
    const gr::ExploreFailure& first = whole.failures.front();
    SeedVariable seed(std::to_string(first.seed));
    const gr::ExploreResult one = gr::catch2::explore(flaky_order, from_seed_2(strategy));
    CHECK(one.runs == 1);
    REQUIRE(one.failures.size() == 1);
    CHECK(one.failures[0].seed == first.seed);
    CHECK(one.failures[0].schedule == first.schedule);
    CHECK(one.failures[0].result.outcome == first.result.outcome);
    CHECK(one.pct_steps == whole.pct_steps);
  }
  {
    // A seed that passes passes alone too.
    SeedVariable seed("2");
    CHECK(gr::catch2::explore(flaky_order, from_seed_2("random")).ok());
  }
  SeedVariable bad("12x");
  CHECK_THROWS_WITH(gr::catch2::explore(flaky_order, from_seed_2("random")), "GOREWIND_SEED='12x' is not a seed");
}

TEST_CASE("catch2: the replay command, run, fails that test on that seed alone", "[catch2]") {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const gr::ExploreResult r = gr::catch2::explore(flaky_order, from_seed_2("random"));
  const std::string message = gr::catch2::failure_message(r, self, kHiddenTest);
  const std::string command = message.substr(message.find("\nreplay: ") + 9);
  CHECK(command.rfind("GOREWIND_SEED=23 ", 0) == 0);
  int status = 0;
  const std::string out = output_of(command + " --reporter compact", &status);
  INFO(out);
  CHECK(status != 0);
  CHECK(out.find("explored 1 schedule (random, 1 trace): 1 failure; first: seed 23, check_failed") != std::string::npos);
  CHECK(out.find("replay: GOREWIND_SEED=23 ") != std::string::npos);
  CHECK(out.find("Failed 1 test case, failed 1 assertion.") != std::string::npos);
}

TEST_CASE(kHiddenTest, "[.][catch2-replayed]") {
  GOREWIND_REQUIRE_NO_FAILURE(gr::catch2::explore(flaky_order, from_seed_2("random")));
}

TEST_CASE("catch2: isolate finds the same failures as in-process, and a crash or a spin fails the search, not the "
          "test binary",
          "[catch2]") {
  // A search that only fails the ordinary way finds the same failure, with
  // the same schedule, as the in-process one.
  gr::ExploreOptions o = from_seed_2("random");
  const gr::ExploreResult here = gr::catch2::explore(flaky_order, o);
  o.isolate = true;
  const gr::ExploreResult isolated = gr::catch2::explore(flaky_order, o);
  REQUIRE(here.failures.size() == 1);
  REQUIRE(isolated.failures.size() == 1);
  CHECK(isolated.runs == here.runs);
  CHECK(isolated.failures[0].seed == here.failures[0].seed);
  CHECK(isolated.failures[0].schedule == here.failures[0].schedule);
  CHECK(isolated.failures[0].result.message == here.failures[0].result.message);
  CHECK(isolated.failures[0].result.site == here.failures[0].result.site);
  CHECK(isolated.summary() == here.summary());
  CHECK_THROWS_AS(gr::explore(flaky_order, o), gr::Error);

  // conn_close segfaults on some schedules: the lowest such seed is the
  // failure, with its signal and the writer's line.
  gr::ExploreOptions crash;
  crash.isolate = true;
  crash.runs = 200;
  const gr::ExploreResult c = gr::catch2::explore(gr::find_scenario("conn_close")->body, crash);
  REQUIRE(c.failures.size() == 1);
  const gr::ExploreFailure& f = c.failures[0];
  CHECK(f.result.outcome == gr::Outcome::Crash);
  CHECK(f.result.message == "signal SIGSEGV: segmentation violation code=0x1 addr=0x18");
  CHECK(f.result.site.file == "scenarios/conn_close.cpp");
  CHECK(f.result.goroutine_name == "writer");
  CHECK(c.runs == f.seed);  // every seed below it ran and passed
  {
    SeedVariable seed(std::to_string(f.seed));
    const gr::ExploreResult again = gr::catch2::explore(gr::find_scenario("conn_close")->body, crash);
    REQUIRE(again.failures.size() == 1);
    CHECK(again.failures[0].seed == f.seed);
    CHECK(again.failures[0].result.message == f.result.message);
  }

  // spin_wait spins on some schedules: past run.timeout, a timeout.
  gr::ExploreOptions spin;
  spin.isolate = true;
  spin.runs = 200;
  spin.run.timeout = 0.3;
  const gr::ExploreResult s = gr::catch2::explore(gr::find_scenario("spin_wait")->body, spin);
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].result.outcome == gr::Outcome::Timeout);
  CHECK(s.failures[0].result.fault.timeout_kind == "spin");
}
