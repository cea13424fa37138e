// End-to-end tests of the gorewind CLI, run as a user runs it. The binary
// comes from GOREWIND_BIN (set by ctest).
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;

namespace {

struct Cli {
  int code = -1;
  std::string out;
  std::vector<std::string> err;  // stderr lines, sanitizer notices left out
};

std::string bin() {
  const char* b = std::getenv("GOREWIND_BIN");
  return b ? b : "";
}

Cli cli(const std::string& args) {
  const std::string err_file = "gorewind_cli_test.stderr";
  const std::string cmd = bin() + " " + args + " 2>" + err_file;
  Cli r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  for (std::string line; std::getline(in, line);)
    if (line.find("AddressSanitizer") == std::string::npos && line.find("ASan doesn't fully support") == std::string::npos)
      r.err.push_back(line);
  std::remove(err_file.c_str());
  return r;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// In-process run of a built-in scenario, for comparing with the CLI.
gr::test::RunOutput run_scenario(const std::string& name, std::uint64_t seed) {
  const gr::Scenario* s = gr::find_scenario(name);
  REQUIRE(s != nullptr);
  return gr::test::run_with(s->body, "random", seed);
}

}  // namespace

TEST_CASE("cli: list names every built-in scenario", "[cli]") {
  REQUIRE_FALSE(bin().empty());
  const Cli r = cli("list");
  CHECK(r.code == 0);
  for (const gr::Scenario* s : gr::scenarios()) {
    INFO(s->name);
    CHECK(contains(r.out, s->name));
    CHECK(contains(r.out, s->description));
  }
  const Cli j = cli("list --json");
  CHECK(j.code == 0);
  CHECK(contains(j.out, "\"name\":\"flaky_order\""));
}

TEST_CASE("cli: run reports a failing seed exactly as the library runs it", "[cli]") {
  // The lowest failing seed of flaky_order, found by search.
  std::uint64_t seed = 0;
  gr::test::RunOutput lib;
  for (std::uint64_t s = 1; s <= 2000 && seed == 0; ++s) {
    lib = run_scenario("flaky_order", s);
    if (!lib.result.ok()) seed = s;
  }
  REQUIRE(seed != 0);
  const Cli r = cli("run flaky_order --seed " + std::to_string(seed) + " --json");
  CHECK(r.code == 1);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "\"outcome\":\"check_failed\""));
  CHECK(contains(r.out, "\"seed\":" + std::to_string(seed) + ","));
  CHECK(contains(r.out, "\"trace_hash\":\"" + lib.hash + "\""));
  CHECK(contains(r.out, "\"events\":" + std::to_string(lib.result.events) + ","));
  CHECK(contains(r.out, "\"file\":\"scenarios/flaky_order.cpp\""));
  // The same command twice prints the same bytes.
  CHECK(cli("run flaky_order --seed " + std::to_string(seed) + " --json").out == r.out);
}

TEST_CASE("cli: run prints outcomes the way Go does and exits 0 or 1", "[cli]") {
  const Cli ok = cli("run handoff --seed 3");
  CHECK(ok.code == 0);
  CHECK(contains(ok.out, "ok"));

  const Cli dl = cli("run chan_deadlock");
  CHECK(dl.code == 1);
  CHECK(contains(dl.out, "fatal error: all goroutines are asleep - deadlock!"));
  CHECK(contains(dl.out, "[chan send]"));
  CHECK(contains(dl.out, "[select (no cases)]"));
  CHECK(contains(dl.out, "scenarios/chan_deadlock.cpp:"));

  const Cli pn = cli("run close_twice --strategy fifo");
  CHECK(pn.code == 1);
  CHECK(contains(pn.out, "panic: close of closed channel"));
  CHECK(contains(pn.out, "[running]"));

  const Cli lk = cli("run leaky_handler");
  CHECK(lk.code == 1);
  CHECK(contains(lk.out, "leak: main returned with 1 goroutine blocked forever"));
  CHECK(contains(lk.out, "worker"));
}

TEST_CASE("cli: --param reaches the scenario", "[cli]") {
  const Cli small = cli("run ping_pong --strategy fifo --param n=1 --json");
  const Cli large = cli("run ping_pong --strategy fifo --param n=50 --json");
  CHECK(small.code == 0);
  CHECK(large.code == 0);
  CHECK(small.out != large.out);
  CHECK(contains(large.out, "\"params\":{\"n\":\"50\"}"));
}

TEST_CASE("cli: bad input is one line on stderr and exit 2", "[cli]") {
  const std::vector<std::string> bad = {
      "",                             // no command
      "bogus",                        // unknown command
      "run",                          // missing scenario
      "run nope",                     // unknown scenario
      "run handoff --seed abc",       // not a number
      "run handoff --strategy lifo",  // unknown strategy
      "run handoff --param x",        // not KEY=VALUE
      "run ping_pong --param n=abc",  // not an integer, seen inside the run
      "run handoff --bogus",          // unknown flag
  };
  for (const std::string& args : bad) {
    INFO("gorewind " << args);
    const Cli r = cli(args);
    CHECK(r.code == 2);
    CHECK(r.err.size() == 1);
    CHECK(r.out.empty());
  }
}

TEST_CASE("cli: every command has help", "[cli]") {
  const Cli top = cli("--help");
  CHECK(top.code == 0);
  CHECK(contains(top.out, "run"));
  CHECK(contains(top.out, "list"));
  const Cli run = cli("run --help");
  CHECK(run.code == 0);
  CHECK(contains(run.out, "--seed"));
  CHECK(contains(run.out, "--strategy"));
  CHECK(contains(run.out, "--param"));
}
