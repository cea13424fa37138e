// End-to-end tests of the gorewind CLI, run as a user runs it. The binary
// comes from GOREWIND_BIN (set by ctest).
#include <stdlib.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "json_reader.hpp"
#include "support.hpp"

namespace gr = gorewind;
using gorewind::test::Json;
using gorewind::test::parse_json;

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
    // A corpus program comes after the others, with the bug it is written from.
    if (!s->origin.empty()) {
      const std::string corpus = r.out.substr(r.out.find("\ndeep-bug corpus"));
      const std::size_t at = corpus.find("\n" + s->name + " ");
      REQUIRE(at != std::string::npos);
      CHECK(contains(corpus.substr(at, corpus.find('\n', at + 1) - at), "[" + s->origin + "] " + s->description));
    }
  }
  const Cli j = cli("list --json");
  CHECK(j.code == 0);
  CHECK(contains(j.out, "\"name\":\"flaky_order\""));
  CHECK(contains(j.out, "\"line\":" + std::to_string(gr::find_scenario("flaky_order")->line) + ",\"origin\":null}"));
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
  CHECK(contains(lk.out, "leak: main returned while 1 goroutine is blocked forever\n"));
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

TEST_CASE("cli: every option that takes a value shows its default in the help", "[cli]") {
  for (const char* command : {"list", "run", "record", "runs", "show", "explore", "replay", "state", "debug", "merge",
                              "minimize", "bisect", "export", "profile", "diff"}) {
    const Cli help = cli(std::string(command) + " --help");
    REQUIRE(help.code == 0);
    // One entry per option: its line and the lines that continue it (indented further).
    std::vector<std::string> entries;
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  -", 0) == 0) entries.push_back(line);
      else if (!entries.empty() && line.rfind("        ", 0) == 0) entries.back() += line;
    }
    for (const std::string& entry : entries) {
      INFO(command << ": " << entry);
      std::istringstream words(entry);
      std::string names, type;
      words >> names >> type;
      // A value's type is in capitals (N, FILE) or lists the choices (chrome|dot|json); a flag's help follows its name.
      const bool takes_value =
          type.find('|') != std::string::npos || type.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
      if (!takes_value || names == "-h,--help") continue;
      CHECK((type.find('=') != std::string::npos || contains(entry, "REQUIRED") || contains(entry, "default")));
    }
  }
}

namespace {

// ExploreDb is a fresh log file for one explore test, removed at the end.
struct ExploreDb {
  std::string dir;
  std::string path;
  ExploreDb() {
    char pattern[] = "/tmp/gorewind_explore_test.XXXXXX";
    dir = mkdtemp(pattern) ? pattern : "/tmp";
    path = dir + "/log.db";
  }
  ~ExploreDb() { std::system(("rm -rf '" + dir + "'").c_str()); }
};

// field_after() is the number following `label` in s ("lowest seed 17," -> 17).
std::uint64_t field_after(const std::string& s, const std::string& label) {
  const auto at = s.find(label);
  REQUIRE(at != std::string::npos);
  return std::stoull(s.substr(at + label.size()));
}

gr::ExploreResult explore_here(const std::string& scenario, gr::ExploreOptions o) {
  const gr::Scenario* s = gr::find_scenario(scenario);
  REQUIRE(s != nullptr);
  o.run.max_steps = 1000000;  // as the CLI's default --step-limit
  return gr::explore(s->body, o);
}

}  // namespace

TEST_CASE("cli: explore finds flaky_order, records the lowest failing seed, --jobs 2 agrees", "[cli]") {
  ExploreDb db;
  gr::ExploreOptions o;
  o.runs = 3000;
  o.seed_start = 2;
  const gr::ExploreResult here = explore_here("flaky_order", o);
  REQUIRE(here.failures.size() == 1);
  for (const char* jobs : {"1", "2"}) {
    INFO("--jobs " << jobs);
    const Cli r = cli("explore flaky_order --runs 3000 --seed-start 2 --jobs " + std::string(jobs) + " --db " + db.path);
    CHECK(r.code == 1);
    CHECK(contains(r.out, "check_failed at scenarios/flaky_order.cpp:"));
    CHECK(field_after(r.out, "lowest seed ") == here.failures[0].seed);
    const std::uint64_t id = field_after(r.out, "recorded as run ");
    CHECK(contains(r.out, "show " + std::to_string(id)));
    const std::string again = "run flaky_order --seed " + std::to_string(here.failures[0].seed) + " --strategy portfolio";
    CHECK(contains(r.out, again));
    // The recorded run is that very schedule, and so is the one that run
    // command gives: their trace hashes are equal.
    const Json live = parse_json(cli(again + " --json").out);
    CHECK(live.at("outcome").string == "check_failed");
    const Cli runs = cli("runs --json --db " + db.path);
    CHECK(contains(runs.out, "\"id\":" + std::to_string(id) + ",\"scenario\":\"flaky_order\""));
    CHECK(contains(runs.out, "\"trace_hash\":\"" + live.at("trace_hash").string + "\""));
    const Cli replay = cli("replay " + std::to_string(id) + " --db " + db.path);
    CHECK(replay.code == 0);
    CHECK(contains(replay.out, "replayed run " + std::to_string(id) + ": identical"));
  }
}

TEST_CASE("cli: explore of a correct scenario, dfs to exhaustion, and --keep-going counts", "[cli]") {
  ExploreDb db;
  const Cli ok = cli("explore handoff --runs 500 --db " + db.path);
  CHECK(ok.code == 0);
  CHECK(contains(ok.out, "explored 500 schedules of handoff (portfolio)"));
  CHECK(contains(ok.out, "no failure"));

  gr::ExploreOptions d;
  d.strategy = "dfs";
  d.runs = 0;
  const gr::ExploreResult all = explore_here("handoff", d);
  REQUIRE(all.exhausted);
  const Cli dfs = cli("explore handoff --strategy dfs --db " + db.path);
  CHECK(dfs.code == 0);
  CHECK(contains(dfs.out, "explored " + std::to_string(all.runs) + " schedules of handoff (dfs, preemption bound 2)"));
  CHECK(contains(dfs.out, "every schedule within the bound"));

  gr::ExploreOptions k;
  k.runs = 300;
  k.keep_going = true;
  const std::size_t failing = explore_here("flaky_order", k).failures.size();
  REQUIRE(failing > 1);
  std::size_t sharded = 0;
  for (const char* shard : {"0/2", "1/2"}) {
    const Cli r = cli("explore flaky_order --runs 300 --keep-going --shard " + std::string(shard) + " --db " + db.path);
    CHECK(r.code == 1);
    sharded += field_after(r.out, ": ");  // "...: N failing"
  }
  CHECK(sharded == failing);
  const Cli whole = cli("explore flaky_order --runs 300 --keep-going --jobs 2 --db " + db.path);
  CHECK(contains(whole.out, ": " + std::to_string(failing) + " failing"));

  // Every failure is counted, only the first of its kind is recorded: one
  // group (one outcome at one site), one run in a fresh log.
  ExploreDb fresh;
  const Cli one = cli("explore flaky_order --runs 300 --keep-going --db " + fresh.path);
  CHECK(contains(one.out, ": " + std::to_string(failing) + " failing"));
  CHECK(contains(one.out, "  " + std::to_string(failing) + " schedules; lowest seed "));
  CHECK(contains(one.out, ", recorded as run 1\n"));
  const Cli runs = cli("runs --json --db " + fresh.path);
  CHECK(contains(runs.out, "\"id\":1,"));
  CHECK_FALSE(contains(runs.out, "\"id\":2,"));
}

TEST_CASE("cli: explore's bad input is one line and exit 2", "[cli]") {
  for (const std::string args :
       {"explore nope", "explore handoff --strategy fifo", "explore handoff --shard 2/2", "explore handoff --shard x",
        "explore handoff --jobs 0", "explore handoff --runs 5 --time 1", "explore handoff --param x",
        "explore ping_pong --param n=abc", "explore handoff --depth 0"}) {
    INFO("gorewind " << args);
    const Cli r = cli(args + " --db /tmp/gorewind_explore_never.db");
    CHECK(r.code == 2);
    CHECK(r.err.size() == 1);
    CHECK(r.out.empty());
  }
}

TEST_CASE("cli: merge keeps every run of sharded explorations, renumbered", "[cli]") {
  ExploreDb db;
  const std::string a = db.dir + "/a.db", b = db.dir + "/b.db", out = db.dir + "/out.db";
  CHECK(cli("explore flaky_order --runs 200 --keep-going --shard 0/2 --db " + a).code == 1);
  CHECK(cli("explore flaky_order --runs 200 --keep-going --shard 1/2 --db " + b).code == 1);
  CHECK(cli("record handoff --db " + out).code == 0);  // out has a run of its own: ids shift
  const std::uint64_t in_a = field_after(cli("explore handoff --runs 1 --db " + a).out, "explored ");  // no new run
  CHECK(in_a == 1);
  const Cli merged = cli("merge " + out + " " + a + " " + b);
  REQUIRE(merged.code == 0);
  const auto runs_in = [&](const std::string& f) {
    const Cli r = cli("runs --json --db " + f);
    std::size_t n = 0;
    for (std::size_t at = 0; (at = r.out.find("\"id\":", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  const std::size_t na = runs_in(a), nb = runs_in(b);
  REQUIRE(na > 0);
  CHECK(runs_in(out) == 1 + na + nb);
  CHECK(contains(merged.out, a + ": run 1 -> run 2\n"));
  CHECK(contains(merged.out, b + ": run 1 -> run " + std::to_string(2 + na) + "\n"));
  CHECK(contains(merged.out, "merged " + std::to_string(na + nb) + " runs into " + out));
  // A merged run reads as the original did.
  const Cli before = cli("show 1 --db " + b);
  const Cli after = cli("show " + std::to_string(2 + na) + " --db " + out);
  CHECK(before.code == 0);
  CHECK(before.out == after.out);
  // Its schedule came along: it replays.
  const Cli replay = cli("replay " + std::to_string(2 + na) + " --db " + out);
  CHECK(replay.code == 0);
  CHECK(contains(replay.out, "identical"));

  CHECK(cli("merge " + out + " " + out).code == 2);
  CHECK(cli("merge " + out + " " + db.dir + "/missing.db").code == 2);
  std::ofstream(db.dir + "/text.db") << "not a database\n";
  const Cli bad = cli("merge " + out + " " + db.dir + "/text.db");
  CHECK(bad.code == 2);
  CHECK(bad.err.size() == 1);
  CHECK(runs_in(out) == 1 + na + nb);  // nothing half-merged
}

TEST_CASE("cli: minimize --json says what the text says", "[cli]") {
  ExploreDb db;
  const Cli found = cli("explore dining_philosophers --db " + db.path);
  REQUIRE(found.code == 1);
  const std::uint64_t id = field_after(found.out, "recorded as run ");
  const Cli text = cli("minimize " + std::to_string(id) + " --db " + db.path);
  REQUIRE(text.code == 0);
  const Cli m = cli("minimize " + std::to_string(id) + " --db " + db.path + " --json");
  REQUIRE(m.code == 0);
  const Json j = parse_json(m.out);
  CHECK(j.at("run").number == static_cast<double>(id));
  CHECK(j.at("scenario").string == "dining_philosophers");
  CHECK(j.at("outcome").string == "deadlock");
  // The text's run was the one before: minimizing is deterministic.
  CHECK(j.at("recorded").number == static_cast<double>(field_after(text.out, "recorded as run ") + 1));
  CHECK(contains(text.out, " in " + std::to_string(static_cast<int>(j.at("attempts").number)) + " attempt"));
  const auto figures = [&](const std::string& label) {
    std::istringstream in(text.out.substr(text.out.find(label) + label.size()));
    std::array<double, 3> f{};
    in >> f[0] >> f[1] >> f[2];
    return f;
  };
  for (const char* side : {"before", "after"}) {
    INFO(side);
    const Json& f = j.at(side);
    CHECK(std::array<double, 3>{f.at("preemptions").number, f.at("switches").number, f.at("events").number} ==
          figures(side));
  }
  CHECK(j.at("after").at("preemptions").number <= j.at("before").at("preemptions").number);
  CHECK(j.at("after").at("decisions").number > 0);
  CHECK(j.at("one_minimal").boolean == contains(text.out, "\n1-minimal: "));
  CHECK(j.at("from_dfs").boolean == contains(text.out, "\na dfs search bounded to "));
  const Json replay = parse_json(cli("replay " + std::to_string(static_cast<int>(j.at("recorded").number)) +
                                     " --json --db " + db.path).out);
  CHECK(replay.at("identical").boolean);
  CHECK(replay.at("result").at("outcome").string == "deadlock");
  CHECK(replay.at("events").number == j.at("after").at("events").number);
  const Json runs = parse_json(cli("runs --json --db " + db.path).out).at("runs");
  CHECK(runs.array.back().at("outcome").string == "deadlock");
}

TEST_CASE("cli: minimize keeps the outcome and site, never adds a preemption, and the result replays", "[cli]") {
  ExploreDb db;
  for (const char* scenario : {"dining_philosophers", "flaky_order", "rw_recursive"}) {
    INFO(scenario);
    const Cli found = cli("explore " + std::string(scenario) + " --db " + db.path);
    REQUIRE(found.code == 1);
    const std::uint64_t id = field_after(found.out, "recorded as run ");
    const std::string failure = found.out.substr(found.out.find("\n\n") + 2, found.out.find(':', found.out.find("\n\n")) - found.out.find("\n\n") - 2);
    const Cli m = cli("minimize " + std::to_string(id) + " --db " + db.path);
    REQUIRE(m.code == 0);
    // "minimized run N (deadlock at file:line)" names the same failure as explore did.
    CHECK(contains(m.out, "minimized run " + std::to_string(id) + " (" + failure.substr(0, failure.find(' '))));
    const auto figures = [&](const std::string& label) {
      std::istringstream in(m.out.substr(m.out.find(label) + label.size()));
      std::array<std::uint64_t, 3> f{};
      in >> f[0] >> f[1] >> f[2];
      return f;
    };
    const auto before = figures("before"), after = figures("after");
    CHECK(after[0] <= before[0]);
    if (after[0] == before[0])
      for (int i = 1; i < 3; ++i) CHECK(after[i] <= before[i]);
    CHECK(contains(m.out, "\n1-minimal: "));
    const std::uint64_t min_id = field_after(m.out, "recorded as run ");
    const Cli replay = cli("replay " + std::to_string(min_id) + " --db " + db.path);
    CHECK(replay.code == 0);
    CHECK(contains(replay.out, "identical (" + std::to_string(after[2]) + " events)"));
  }
  const Cli ok = cli("record handoff --db " + db.path);
  REQUIRE(ok.code == 0);
  const std::uint64_t ok_id = field_after(ok.out, "run ");
  const Cli ok_run = cli("minimize " + std::to_string(ok_id) + " --db " + db.path);
  CHECK(ok_run.code == 2);
  REQUIRE(ok_run.err.size() == 1);
  CHECK(contains(ok_run.err[0], "did not fail"));
}
