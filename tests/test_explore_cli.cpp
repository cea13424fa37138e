// `gorewind explore --json`: the report as data, the same search and the same
// recorded runs as the text report, and the text report built from the same
// groups. The binary comes from GOREWIND_BIN.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

using namespace gorewind::test;
namespace gr = gorewind;

namespace {

// lowest_failing_seed() is the first failing seed of scenario from seed
// start on, as the library's own search finds it.
std::uint64_t lowest_failing_seed(const std::string& scenario, std::uint64_t start) {
  const gr::Scenario* s = gr::find_scenario(scenario);
  REQUIRE(s != nullptr);
  gr::ExploreOptions o;
  o.runs = 3000;
  o.seed_start = start;
  o.run.max_steps = 1000000;  // as explore's default --step-limit
  const gr::ExploreResult r = gr::explore(s->body, o);
  REQUIRE(r.failures.size() == 1);
  return r.failures[0].seed;
}

// check_line() is the line of flaky_order's check, read from its source so
// that the test does not hard-code it.
std::uint64_t check_line() {
  std::ifstream in(std::string(GOREWIND_SOURCE_DIR) + "/scenarios/flaky_order.cpp");
  std::uint64_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (contains(line, "gr::check(seen == 42")) return n;
  }
  FAIL("no check in flaky_order.cpp");
  return 0;
}

// line_count() is the number of lines of text.
std::size_t line_count(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// number() is a JSON number that holds a count, as an integer.
std::uint64_t number(const Json& j) {
  REQUIRE(j.type == Json::Type::Number);
  return static_cast<std::uint64_t>(j.number);
}

// text_of() is the text report explore prints for the search report
// describes, with its wall-clock time as the text shows it: built from the
// JSON, so the two reports say the same thing.
std::string text_of(const Json& report, const std::string& seconds, const std::string& db) {
  const std::string strategy = report.at("strategy").string;
  const std::uint64_t runs = number(report.at("runs"));
  std::string t = "explored " + std::to_string(runs) + " schedule" + (runs == 1 ? "" : "s") + " of " +
                  report.at("scenario").string + " (" + strategy;
  if (strategy == "pct") t += ", depth " + std::to_string(number(report.at("depth")));
  if (strategy == "dfs") t += ", preemption bound " + std::to_string(number(report.at("depth")));
  t += ") in " + seconds + " s";
  if (report.at("exhausted").boolean) t += strategy == "dpor" ? ", every trace" : ", every schedule within the bound";
  if (report.at("confident").boolean) t += ", confident";
  const std::uint64_t failures = number(report.at("failures"));
  t += ": " + (failures == 0 ? std::string("no failure") : std::to_string(failures) + " failing") + "\n";
  const std::uint64_t classes = number(report.at("classes"));
  t += "  " + std::to_string(classes) + " trace" + (classes == 1 ? "" : "s") + " (Mazurkiewicz classes)";
  if (report.at("new_class_probability").type != Json::Type::Null) {
    std::ostringstream p;
    p << report.at("new_class_probability").number;
    t += "; the chance that the next schedule is of a new one: " + p.str() + " (Good-Turing)";
  }
  t += "\n";
  if (failures == 0) {
    gr::ExploreResult r;
    r.strategy = strategy;
    r.runs = runs;
    r.classes = classes;
    r.exhausted = report.at("exhausted").boolean;
    t += "  " + gr::no_failure_line(r) + "\n";
  }
  std::string others;
  for (const gr::StrategyInfo& s : gr::builtin_strategies())
    if (s.explores && s.name != strategy) others += (others.empty() ? "" : "|") + std::string(s.name);
  t += "  strategy " + strategy + (strategy == gr::ExploreOptions{}.strategy ? ", the default" : "") +
       "; another: --strategy " + others + " (docs/strategies.md)\n";
  for (const Json& g : report.at("groups").array) {
    const Json& site = g.at("site");
    t += "\n" + g.at("outcome").string;
    if (site.type != Json::Type::Null)
      t += " at " + site.at("file").string + ":" + std::to_string(number(site.at("line")));
    if (!g.at("message").string.empty()) t += ": " + g.at("message").string;
    const std::uint64_t count = number(g.at("count"));
    const bool dfs = gr::is_systematic(strategy);
    t += "\n  " + std::to_string(count) + " schedule" + (count == 1 ? "" : "s") + "; lowest " +
         (dfs ? "schedule " : "seed ") + std::to_string(number(g.at(dfs ? "schedule" : "seed")));
    const std::string run = std::to_string(number(g.at("run")));
    t += ", recorded as run " + run + "\n";
    t += "  show:   " + bin() + " show " + run + " --db " + db + "\n";
    t += "  replay: " + bin() + " replay " + run + " --db " + db + "\n";
    t += "  debug:  " + bin() + " debug " + run + " --db " + db + "\n";
    if (g.at("reproduce").type == Json::Type::String) t += "  run:    " + g.at("reproduce").string + "\n";
  }
  return t;
}

// seconds_in() is the "in S s" figure of a text report.
std::string seconds_in(const std::string& text) {
  const auto at = text.find(") in ");
  REQUIRE(at != std::string::npos);
  return text.substr(at + 5, text.find(" s", at + 5) - at - 5);
}

}  // namespace

TEST_CASE("cli: explore --json gives the failing group, its site, count and a run that show and replay accept",
          "[cli]") {
  REQUIRE_FALSE(bin().empty());
  TempDir dir;
  const std::string db = dir.file("json.db");
  const std::uint64_t seed = lowest_failing_seed("flaky_order", 2);
  const Cli r = cli(dir, {"explore", "flaky_order", "--runs", "3000", "--seed-start", "2", "--json", "--db", db});
  CHECK(r.code == 1);
  CHECK(line_count(r.out) == 1);
  const Json j = parse_json(r.out);
  CHECK(j.at("scenario").string == "flaky_order");
  CHECK(j.at("params").type == Json::Type::Object);
  CHECK(j.at("params").object.empty());
  CHECK(j.at("strategy").string == "portfolio");
  CHECK(j.at("depth").type == Json::Type::Null);
  CHECK(number(j.at("shard").at("index")) == 0);
  CHECK(number(j.at("shard").at("count")) == 1);
  CHECK(number(j.at("runs")) == seed - 1);  // seeds 2 to the failing one, which stops the search
  CHECK(j.at("seconds").type == Json::Type::Number);
  CHECK_FALSE(j.at("exhausted").boolean);
  CHECK_FALSE(j.at("interrupted").boolean);
  CHECK(number(j.at("failures")) == 1);
  REQUIRE(j.at("groups").array.size() == 1);
  const Json& g = j.at("groups").array[0];
  CHECK(g.at("outcome").string == "check_failed");
  CHECK(g.at("message").string == "the value is there once ready is set");
  const Json& site = g.at("site");
  CHECK(site.at("file").string == "scenarios/flaky_order.cpp");
  CHECK(number(site.at("line")) == check_line());
  CHECK_FALSE(site.at("function").string.empty());
  CHECK(number(g.at("count")) == 1);
  CHECK(number(g.at("seed")) == seed);
  CHECK(g.at("schedule").type == Json::Type::Null);
  CHECK(g.at("reproduce").string ==
        bin() + " run flaky_order --seed " + std::to_string(seed) + " --strategy portfolio");

  const std::string run = std::to_string(number(g.at("run")));
  const Cli show = cli(dir, {"show", run, "--db", db});
  CHECK(show.code == 0);
  CHECK(contains(show.out, "check_failed"));
  const Cli replay = cli(dir, {"replay", run, "--db", db});
  CHECK(replay.code == 0);
  CHECK(contains(replay.out, "replayed run " + run + ": identical"));

  // The text report of the same search in a fresh log: the same groups and
  // run ids, word for word as the JSON says.
  const std::string text_db = dir.file("text.db");
  const Cli text = cli(dir, {"explore", "flaky_order", "--runs", "3000", "--seed-start", "2", "--db", text_db});
  CHECK(text.code == 1);
  CHECK(text.out == text_of(j, seconds_in(text.out), text_db));
}

TEST_CASE("cli: explore --json of a correct scenario has no failure and no group, with each strategy", "[cli]") {
  TempDir dir;
  const std::string db = dir.file("ok.db");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--runs", "200"}, {"--strategy", "pct", "--runs", "50", "--depth", "4"},
        {"--strategy", "pos", "--runs", "50"}, {"--strategy", "surw", "--runs", "50"}, {"--strategy", "dfs"},
        {"--runs", "40", "--shard", "1/3", "--param", "n=2"}}) {
    std::vector<std::string> cmd = {"explore", "handoff", "--json", "--db", db};
    cmd.insert(cmd.end(), args.begin(), args.end());
    INFO(args[0] << " " << args[1]);
    const Cli r = cli(dir, cmd);
    CHECK(r.code == 0);
    CHECK(line_count(r.out) == 1);
    const Json j = parse_json(r.out);
    CHECK(j.at("scenario").string == "handoff");
    CHECK(number(j.at("failures")) == 0);
    CHECK(j.at("groups").type == Json::Type::Array);
    CHECK(j.at("groups").array.empty());
    CHECK_FALSE(j.at("interrupted").boolean);
    const std::string strategy = j.at("strategy").string;
    if (strategy == "pct") {
      CHECK(number(j.at("depth")) == 4);
      CHECK(number(j.at("runs")) == 50);
    } else if (strategy == "pos" || strategy == "surw") {
      CHECK(j.at("depth").type == Json::Type::Null);
      CHECK(number(j.at("runs")) == 50);
    } else if (strategy == "dfs") {
      CHECK(number(j.at("depth")) == 2);
      CHECK(j.at("exhausted").boolean);
      CHECK(number(j.at("runs")) > 1);
    } else if (j.at("params").has("n")) {
      CHECK(j.at("params").at("n").string == "2");
      CHECK(number(j.at("shard").at("index")) == 1);
      CHECK(number(j.at("shard").at("count")) == 3);
      CHECK(number(j.at("runs")) == 13);  // seeds 2, 5, ..., 38 of 1 to 40
    } else {
      CHECK(strategy == "portfolio");
      CHECK(number(j.at("runs")) == 200);
      CHECK_FALSE(j.at("exhausted").boolean);
    }
  }
  CHECK(cli(dir, {"runs", "--json", "--db", db}).out.find("\"id\":") == std::string::npos);  // nothing recorded
}

TEST_CASE("cli: explore --json names a dfs failure by its schedule, with the run command of that schedule",
          "[cli]") {
  TempDir dir;
  const std::string db = dir.file("dfs.db");
  const Cli r = cli(dir, {"explore", "flaky_order", "--strategy", "dfs", "--json", "--db", db});
  CHECK(r.code == 1);
  const Json j = parse_json(r.out);
  CHECK(number(j.at("depth")) == 2);
  REQUIRE(j.at("groups").array.size() == 1);
  const Json& g = j.at("groups").array[0];
  CHECK(g.at("outcome").string == "check_failed");
  CHECK(g.at("seed").type == Json::Type::Null);
  const std::uint64_t schedule = number(g.at("schedule"));
  CHECK(schedule >= 1);
  CHECK(g.at("reproduce").string ==
        bin() + " run flaky_order --seed " + std::to_string(schedule) + " --strategy dfs");
  const Cli replay = cli(dir, {"replay", std::to_string(number(g.at("run"))), "--db", db});
  CHECK(replay.code == 0);
  CHECK(contains(replay.out, "identical"));

  // Split over workers, a schedule's number counts within a slice: no run.
  const Cli split = cli(dir, {"explore", "flaky_order", "--strategy", "dfs", "--jobs", "2", "--runs", "400", "--json",
                              "--db", dir.file("split.db")});
  CHECK(split.code == 1);
  const Json split_report = parse_json(split.out);
  for (const Json& sg : split_report.at("groups").array) CHECK(sg.at("reproduce").type == Json::Type::Null);
}

TEST_CASE("cli: the run command explore prints gives the reported schedule again, for every strategy", "[cli]") {
  TempDir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--strategy", "random"}, {"--strategy", "pct"}, {"--strategy", "pct", "--depth", "5"},
        {"--strategy", "pct", "--seed-start", "40"}, {"--strategy", "pos"}, {"--strategy", "surw"},
        {"--strategy", "surw", "--seed-start", "40"}, {"--strategy", "portfolio"}, {"--strategy", "dfs"},
        {"--strategy", "dfs", "--depth", "1"}}) {
    std::string label;
    for (const std::string& a : args) label += a + " ";
    INFO(label);
    const std::string db = dir.file("reproduce.db");
    std::remove(db.c_str());
    std::vector<std::string> cmd = {"explore", "flaky_order", "--runs", "3000", "--json", "--db", db};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const Cli r = cli(dir, cmd);
    REQUIRE(r.code == 1);
    const Json report = parse_json(r.out);
    const Json& g = report.at("groups").array.at(0);
    REQUIRE(g.at("reproduce").type == Json::Type::String);
    const std::string line = g.at("reproduce").string;
    REQUIRE(line.rfind(bin() + " run ", 0) == 0);
    // The line as a shell would split it (its words need no quoting here).
    std::vector<std::string> words;
    for (std::size_t at = bin().size() + 1, end; at < line.size(); at = end + 1) {
      end = line.find(' ', at);
      if (end == std::string::npos) end = line.size();
      words.push_back(line.substr(at, end - at));
    }
    words.push_back("--json");
    const Cli again = cli(dir, words);
    CHECK(again.code == 1);
    const Json run = parse_json(again.out);
    CHECK(run.at("outcome").string == g.at("outcome").string);
    // The same schedule: the recorded run's trace hash, event for event.
    const Json runs = parse_json(cli(dir, {"runs", "--json", "--db", db}).out);
    const Json* recorded = nullptr;
    for (const Json& row : runs.at("runs").array)
      if (number(row.at("id")) == number(g.at("run"))) recorded = &row;
    REQUIRE(recorded != nullptr);
    CHECK(run.at("trace_hash").string == recorded->at("trace_hash").string);
    CHECK(number(run.at("events")) == number(recorded->at("events")));
  }
}

TEST_CASE("cli: explore --strategy dpor proves a program correct or finds its failure, and says so", "[cli]") {
  TempDir dir;
  const std::string db = dir.file("dpor.db");
  const Cli ok = cli(dir, {"explore", "handoff", "--strategy", "dpor", "--json", "--db", db});
  CHECK(ok.code == 0);
  const Json j = parse_json(ok.out);
  CHECK(j.at("exhausted").boolean);
  // The send first or the receive first: two traces, one schedule each.
  CHECK(number(j.at("runs")) == 2);
  CHECK(number(j.at("classes")) == 2);
  CHECK(j.at("new_class_probability").type == Json::Type::Null);
  const Cli text = cli(dir, {"explore", "handoff", "--strategy", "dpor", "--db", db});
  CHECK(contains(text.out, "every trace: no failure"));
  CHECK(contains(text.out, "\n  complete: no failure in any of 2 traces\n"));

  const Cli bad = cli(dir, {"explore", "flaky_order", "--strategy", "dpor", "--param", "setup=1", "--param", "work=1",
                            "--json", "--db", db});
  CHECK(bad.code == 1);
  const Json b = parse_json(bad.out);
  REQUIRE(b.at("groups").array.size() == 1);
  const Json& g = b.at("groups").array[0];
  CHECK(g.at("outcome").string == "check_failed");
  CHECK(g.at("seed").type == Json::Type::Null);
  // The reproduce line runs the dpor search's schedule N, which fails the same way.
  REQUIRE(g.at("reproduce").type == Json::Type::String);
  CHECK(contains(g.at("reproduce").string, "--strategy dpor"));
  const Cli again = cli(dir, {"run", "flaky_order", "--strategy", "dpor", "--seed",
                              std::to_string(number(g.at("schedule"))), "--param", "setup=1", "--param", "work=1"});
  CHECK(again.code == 1);
  CHECK(contains(again.out, "check_failed"));
}

TEST_CASE("cli: explore counts trace classes and --until-confident stops once a new one is unlikely", "[cli]") {
  TempDir dir;
  const std::string db = dir.file("conf.db");
  const Cli r = cli(dir, {"explore", "handoff", "--strategy", "random", "--runs", "100000", "--until-confident", "0.01",
                          "--json", "--db", db});
  CHECK(r.code == 0);
  const Json j = parse_json(r.out);
  CHECK(j.at("confident").boolean);
  CHECK(number(j.at("classes")) == 2);
  // No fewer than 3/P runs can bound it below P: here the first 300 do.
  CHECK(number(j.at("runs")) == 300);
  CHECK(j.at("new_class_probability").number < 0.01);
  // The same search without the stop runs its cap, and says what no failure shows.
  const Cli all = cli(dir, {"explore", "handoff", "--strategy", "random", "--runs", "300", "--db", db});
  CHECK(all.code == 0);
  CHECK(contains(all.out, "\n  2 traces (Mazurkiewicz classes); the chance that the next schedule is of a new one: 0 "
                          "(Good-Turing)\n"));
  CHECK(contains(all.out, "\n  0 failures in 300 schedules under random: the failure rate per schedule under random "
                          "is below 3/300 = 0.01 with 95% confidence\n"));

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--until-confident", "0.1"}, {"--until-confident", "2", "--runs", "10"},
        {"--until-confident", "x", "--runs", "10"}, {"--strategy", "dfs", "--until-confident", "0.1", "--runs", "10"},
        {"--strategy", "dpor", "--depth", "2"}, {"--strategy", "dpor", "--shard", "0/2"}}) {
    std::vector<std::string> cmd = {"explore", "handoff", "--db", db};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const Cli refused = cli(dir, cmd);
    INFO(args[0] << " " << args[1]);
    CHECK(refused.code == 2);
    CHECK(refused.err.size() == 1);
  }
}
