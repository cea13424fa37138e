// replay::bisect() and `gorewind bisect`: the decision that turns a pass
// into a failure. Each culprit found is checked from outside: the two
// neighbouring mixes run again here (the one before passes, the one after
// fails the same way) and their events first differ at the culprit's seq.
// bank_transfer's culprit is known: where a teller that has checked the
// balance would go on to withdraw, the failing side runs another goroutine,
// and the other teller checks the same balance.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/explore.hpp>
#include <gorewind/replay/bisect.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "support.hpp"

namespace gr = gorewind;
using gr::replay::BisectStatus;
using gr::test::contains;
using gr::test::Json;
using gr::test::parse_json;

namespace {

// Run is one in-process run of a script, with its events.
struct Run {
  gr::RunResult result;
  std::vector<gr::test::Recorded> events;
};

Run run_script(const std::function<void()>& fn, const std::vector<gr::Choice>& script) {
  gr::test::EventLog log;
  gr::RunOptions o;
  o.strategy = std::make_shared<gr::ScriptedStrategy>(script);
  o.observers = {&log};
  Run r;
  r.result = gr::run(fn, o);
  r.events = log.events;
  return r;
}

bool same_failure(const gr::RunResult& a, const gr::RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
}

// first_difference() is the seq of the first event where a and b differ
// (the seq after the shorter's last when one is a prefix of the other).
std::uint64_t first_difference(const Run& a, const Run& b) {
  const auto lines = [](const Run& r) {
    gr::test::EventLog log;
    log.events = r.events;
    return log.lines();
  };
  const std::vector<std::string> la = lines(a), lb = lines(b);
  std::size_t i = 0;
  while (i < la.size() && i < lb.size() && la[i] == lb[i]) ++i;
  return i + 1;
}

// check_culprit() checks a found culprit from outside: mix `decision`
// passes, mix `decision + 1` fails as the failing schedule does, the two
// first differ at the culprit's seq, and each side's gid is that of its
// event there. Returns the two runs (before, after).
std::pair<Run, Run> check_culprit(const std::function<void()>& fn, const std::vector<gr::Choice>& failing,
                                  const std::vector<gr::Choice>& passing, const gr::replay::Bisected& b) {
  REQUIRE(b.status == BisectStatus::Found);
  CHECK(b.before.prefix == b.decision);
  CHECK(b.after.prefix == b.decision + 1);
  CHECK(b.before.schedule == gr::replay::mix(failing, passing, b.decision));
  CHECK(b.after.schedule == gr::replay::mix(failing, passing, b.decision + 1));
  CHECK(b.asked.kind == failing[b.decision].kind);
  CHECK(b.asked.options == failing[b.decision].options);
  CHECK(b.after.chosen == failing[b.decision].chosen);
  CHECK(b.before.chosen != b.after.chosen);
  const Run whole = run_script(fn, failing);
  const Run before = run_script(fn, b.before.schedule);
  const Run after = run_script(fn, b.after.schedule);
  CHECK(before.result.outcome == gr::Outcome::Ok);
  CHECK(same_failure(after.result, whole.result));
  CHECK(same_failure(b.failure, whole.result));
  CHECK(b.before.result.outcome == gr::Outcome::Ok);
  CHECK(same_failure(b.after.result, whole.result));
  const std::uint64_t seq = first_difference(before, after);
  CHECK(b.seq == seq);
  REQUIRE(seq <= before.events.size());
  REQUIRE(seq <= after.events.size());
  CHECK(before.events[seq - 1].gid == b.before.gid);
  CHECK(after.events[seq - 1].gid == b.after.gid);
  CHECK(before.events[seq - 1].line == b.before.site.line);
  CHECK(after.events[seq - 1].line == b.after.site.line);
  return {before, after};
}

// culprits() are the decisions d whose mix d passes and mix d + 1 fails as
// the whole failing schedule does, found by running every mix: each answer
// bisect() may give.
std::vector<std::size_t> culprits(const std::function<void()>& fn, const std::vector<gr::Choice>& failing,
                                  const std::vector<gr::Choice>& passing) {
  const gr::RunResult failure = run_script(fn, failing).result;
  std::vector<gr::RunResult> mixes;
  for (std::size_t k = 0; k <= failing.size(); ++k)
    mixes.push_back(run_script(fn, gr::replay::mix(failing, passing, k)).result);
  std::vector<std::size_t> out;
  for (std::size_t d = 0; d < failing.size(); ++d)
    if (mixes[d].outcome == gr::Outcome::Ok && same_failure(mixes[d + 1], failure)) out.push_back(d);
  return out;
}

// End is how a run of picks() ends.
enum class End { Pass, Same, Other };

// picks() is a program of n decisions, each a select between two ready
// channels (fifo takes case 0), that ends as endings[ones] says, where ones
// counts the selects that took case 1: ok, a failed check (the failure), or
// a panic (another failure).
std::function<void()> picks(std::size_t n, std::vector<End> endings) {
  return [n, endings] {
    gr::chan<int> zero(1, "zero"), one(1, "one");
    std::size_t ones = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (zero.len() == 0) zero.send(0);
      if (one.len() == 0) one.send(1);
      gr::select(gr::recv(zero, [](int, bool) {}), gr::recv(one, [&](int, bool) { ++ones; }));
    }
    if (endings.at(ones) == End::Same) gr::check(false, "the failure");
    if (endings.at(ones) == End::Other) gr::panic("another failure");
  };
}

// all_ones() is the schedule of picks(n) that takes case 1 every time.
std::vector<gr::Choice> all_ones(std::size_t n) {
  return std::vector<gr::Choice>(n, gr::Choice{gr::Choice::kind_of(gr::Decision::SelectCase), 2, 1});
}

}  // namespace

TEST_CASE("bisect: a mix is the failing prefix, then the passing schedule from the same index", "[bisect]") {
  const auto c = [](std::uint32_t chosen) { return gr::Choice{gr::Choice::kGoroutine, 3, chosen}; };
  const std::vector<gr::Choice> failing{c(1), c(2), c(1), c(2)};
  const std::vector<gr::Choice> passing{c(0), c(0), c(0), c(0), c(2), c(1)};
  CHECK(gr::replay::mix(failing, passing, 0) == passing);
  CHECK(gr::replay::mix(failing, passing, 2) == std::vector<gr::Choice>{c(1), c(2), c(0), c(0), c(2), c(1)});
  CHECK(gr::replay::mix(failing, passing, 4) == std::vector<gr::Choice>{c(1), c(2), c(1), c(2), c(2), c(1)});
  // Without a passing schedule, option 0 (fifo) takes over: the prefix alone.
  CHECK(gr::replay::mix(failing, {}, 3) == std::vector<gr::Choice>{c(1), c(2), c(1)});
  CHECK(gr::replay::mix(failing, {}, 9) == failing);
}

TEST_CASE("bisect: the culprit is the decision between the last pass and the first failure", "[bisect]") {
  // Mix k takes case 1 k times: ok for k < 3, the failure from 3 on. The
  // culprit is the third select (decision index 2).
  const auto fn = picks(5, {End::Pass, End::Pass, End::Pass, End::Same, End::Same, End::Same});
  const auto failing = all_ones(5);
  const gr::replay::Bisected b = gr::replay::bisect(fn, {}, failing, {});
  REQUIRE(b.status == BisectStatus::Found);
  CHECK(b.decision == 2);
  CHECK(gr::replay::decision_kind(b.asked.kind) == "select_case");
  CHECK(b.asked.options == 2);
  CHECK(b.before.chosen == 0);
  CHECK(b.after.chosen == 1);
  CHECK(b.before.gid == 1);  // main's select, on either side
  CHECK(b.after.gid == 1);
  CHECK(b.failure.outcome == gr::Outcome::CheckFailed);
  CHECK(b.failure.message == "the failure");
  check_culprit(fn, failing, {}, b);
  // The same inputs give the same answer.
  const gr::replay::Bisected again = gr::replay::bisect(fn, {}, failing, {});
  CHECK(again.decision == b.decision);
  CHECK(again.seq == b.seq);
  CHECK(again.attempts == b.attempts);
}

TEST_CASE("bisect: failure is not monotone: another failure next to it sends the search to the pairs around",
          "[bisect]") {
  // Mixes: 0 ok, 1 the failure, 2 and 3 another failure, 4 the failure. The
  // binary search ends on (3, 4), whose 3 is no pass; the pairs around it,
  // nearest first, lead to (0, 1): the culprit is the first decision.
  const auto fn = picks(4, {End::Pass, End::Same, End::Other, End::Other, End::Same});
  const auto failing = all_ones(4);
  const gr::replay::Bisected b = gr::replay::bisect(fn, {}, failing, {});
  REQUIRE(b.status == BisectStatus::Found);
  CHECK(b.decision == 0);
  // Mixes 4, 0, 2, 3 (the search), 1, then the two verifying runs.
  CHECK(b.attempts == 7);
  check_culprit(fn, failing, {}, b);
}

TEST_CASE("bisect: no culprit when none verifies, and why", "[bisect]") {
  const auto failing = all_ones(4);
  SECTION("another failure always lies between the pass and the failure") {
    const gr::replay::Bisected b =
        gr::replay::bisect(picks(4, {End::Pass, End::Other, End::Other, End::Other, End::Same}), {}, failing, {});
    CHECK(b.status == BisectStatus::NoPassToFail);
    CHECK(b.attempts == 5);  // every mix, once
  }
  SECTION("the attempts run out") {
    gr::replay::BisectLimits limits;
    limits.max_attempts = 3;
    const gr::replay::Bisected b = gr::replay::bisect(
        picks(4, {End::Pass, End::Pass, End::Pass, End::Same, End::Same}), {}, failing, {}, limits);
    CHECK(b.status == BisectStatus::OutOfAttempts);
    CHECK(b.attempts == 3);
  }
  SECTION("the passing side fails") {
    const gr::replay::Bisected b =
        gr::replay::bisect(picks(4, {End::Other, End::Pass, End::Pass, End::Same, End::Same}), {}, failing, {});
    CHECK(b.status == BisectStatus::PassingFails);
    CHECK(b.passing.outcome == gr::Outcome::Panic);
    CHECK(b.passing.message == "another failure");
  }
  SECTION("the failing schedule passes") {
    const gr::replay::Bisected b = gr::replay::bisect(picks(4, std::vector<End>(5, End::Pass)), {}, failing, {});
    CHECK(b.status == BisectStatus::NotFailing);
    CHECK(b.attempts == 1);
  }
  for (const BisectStatus s : {BisectStatus::Found, BisectStatus::NotFailing, BisectStatus::PassingFails,
                               BisectStatus::NoPassToFail, BisectStatus::OutOfAttempts})
    CHECK(gr::replay::to_string(s) != "unknown");
}

TEST_CASE("bisect: bank_transfer's culprit runs another goroutine where a teller that checked would withdraw",
          "[bisect]") {
  // Every failing schedule a dfs search finds (up to 2 preemptions), against
  // fifo. At the culprit one teller has checked the balance (its unlock at
  // bank_transfer.cpp:31) and not withdrawn, the other has not checked: the
  // passing side lets the first go on to withdraw (its lock at line 33); the
  // failing side runs another goroutine there, and then the other teller
  // checks the same untouched balance: the check-then-act race.
  const gr::Scenario* s = gr::find_scenario("bank_transfer");
  REQUIRE(s != nullptr);
  gr::ExploreOptions e;
  e.strategy = "dfs";
  e.runs = 0;
  e.keep_going = true;
  const gr::ExploreResult found = gr::explore(s->body, e);
  REQUIRE(found.failures.size() > 1);
  for (const gr::ExploreFailure& f : found.failures) {
    INFO("dfs schedule " << f.seed);
    const gr::replay::Bisected b = gr::replay::bisect(s->body, {}, f.schedule, {});
    const auto [before, after] = check_culprit(s->body, f.schedule, {}, b);
    CHECK(gr::replay::decision_kind(b.asked.kind) == "goroutine");
    CHECK(b.before.chosen == 0);  // fifo's choice
    const gr::Gid teller = b.before.gid;
    CHECK(teller != 1);
    const auto common = std::vector<gr::test::Recorded>(before.events.begin(), before.events.begin() + b.seq - 1);
    const auto did = [&](bool same_teller, gr::EventKind kind, unsigned line) {
      return std::any_of(common.begin(), common.end(), [&](const gr::test::Recorded& ev) {
        return (ev.gid == teller) == same_teller && ev.kind == kind && ev.line == line;
      });
    };
    CHECK(did(true, gr::EventKind::Unlock, 31));
    CHECK_FALSE(did(true, gr::EventKind::Lock, 33));
    CHECK_FALSE(did(false, gr::EventKind::Unlock, 31));
    CHECK(b.before.site.line == 33);
    CHECK(b.after.gid != teller);
    // No other decision is a culprit: the mixes pass up to it and fail after.
    CHECK(culprits(s->body, f.schedule, {}) == std::vector<std::size_t>{b.decision});
  }
}

namespace {

// BisectLog is a log for the CLI tests, with run 1 a failing run of
// bank_transfer (a dfs search's first failure).
struct BisectLog {
  gr::test::TempDir dir;
  std::string db = dir.file("log.db");
  BisectLog() { REQUIRE(cli({"explore", "bank_transfer", "--strategy", "dfs"}).code == 1); }
  gr::test::Cli cli(std::vector<std::string> args) const {
    args.insert(args.end(), {"--db", db});
    return gr::test::cli(dir, args);
  }
  std::size_t runs() const { return parse_json(cli({"runs", "--json"}).out).at("runs").size(); }
};

// Culprit is what bisect must name for a failing run of bank_transfer
// against fifo, found without it: the one decision whose mix passes while
// the next mix fails (culprits()), and where those two mixes' events first
// differ, whose goroutines there are the swapped ones.
struct Culprit {
  std::size_t decision = 0;  // 1-based, as the CLI counts
  std::size_t decisions = 0;
  std::uint64_t seq = 0;
  gr::Gid failing_gid = 0, passing_gid = 0;
  unsigned failing_line = 0, passing_line = 0;
};

Culprit known_culprit(const std::string& db, std::int64_t run) {
  std::vector<gr::Choice> failing;
  {
    gr::storage::EventLogReader log(db);
    const auto schedule = log.schedule(run);
    REQUIRE(schedule);
    failing = *schedule;
  }
  const auto body = gr::find_scenario("bank_transfer")->body;
  const std::vector<std::size_t> cs = culprits(body, failing, {});
  REQUIRE(cs.size() == 1);
  const Run before = run_script(body, gr::replay::mix(failing, {}, cs[0]));
  const Run after = run_script(body, gr::replay::mix(failing, {}, cs[0] + 1));
  Culprit c;
  c.decision = cs[0] + 1;
  c.decisions = failing.size();
  c.seq = first_difference(before, after);
  c.failing_gid = after.events.at(c.seq - 1).gid;
  c.passing_gid = before.events.at(c.seq - 1).gid;
  c.failing_line = after.events.at(c.seq - 1).line;
  c.passing_line = before.events.at(c.seq - 1).line;
  return c;
}

}  // namespace

TEST_CASE("cli: bisect names bank_transfer's culprit and records both neighbours, which diff parts there",
          "[bisect]") {
  REQUIRE_FALSE(gr::test::bin().empty());
  BisectLog log;
  const Culprit known = known_culprit(log.db, 1);
  const gr::test::Cli text = log.cli({"bisect", "1"});
  REQUIRE(text.code == 0);
  CHECK(text.err.empty());
  const gr::test::Cli j = log.cli({"bisect", "1", "--json"});
  REQUIRE(j.code == 0);
  const Json r = parse_json(j.out);
  CHECK(r.at("run").number == 1);
  CHECK(r.at("against").is_null());
  CHECK(r.at("scenario").string == "bank_transfer");
  CHECK(r.at("outcome").string == "check_failed");
  CHECK(r.at("site").string == "scenarios/bank_transfer.cpp:42");
  CHECK(r.at("status").string == "found");
  CHECK(r.at("found").boolean);
  CHECK(r.at("kind").string == "goroutine");
  CHECK(r.at("decision").number == static_cast<double>(known.decision));
  CHECK(r.at("decisions").number == static_cast<double>(known.decisions));
  CHECK(r.at("culprit_seq").number == static_cast<double>(known.seq));
  REQUIRE(r.at("swapped").size() == 2);
  CHECK(r.at("swapped")[0].number == known.failing_gid);
  CHECK(r.at("swapped")[1].number == known.passing_gid);
  const std::string site = "scenarios/bank_transfer.cpp:";
  CHECK(r.at("failing").at("gid").number == known.failing_gid);
  CHECK(r.at("failing").at("site").string == site + std::to_string(known.failing_line));
  CHECK(r.at("passing").at("gid").number == known.passing_gid);
  // The passing side's goroutine is the teller that checked: it would go on
  // to withdraw (its lock at line 33).
  CHECK(r.at("passing").at("goroutine").string == "teller");
  CHECK(known.passing_line == 33);
  CHECK(r.at("passing").at("site").string == site + std::to_string(known.passing_line));
  CHECK(r.at("passing").at("option").number == 0);  // fifo's choice
  for (const char* side : {"failing", "passing"}) {
    INFO(side);
    const Json& ev = r.at(side).at("event");
    CHECK(ev.at("seq").number == static_cast<double>(known.seq));
    CHECK(ev.at("gid").number == r.at(side).at("gid").number);
    CHECK(ev.at("goroutine").string == r.at(side).at("goroutine").string);
    CHECK(site + std::to_string(static_cast<int>(ev.at("site").at("line").number)) == r.at(side).at("site").string);
  }
  const std::size_t decision = known.decision;
  CHECK(r.at("before").at("prefix").number == static_cast<double>(decision - 1));
  CHECK(r.at("after").at("prefix").number == static_cast<double>(decision));
  CHECK(r.at("before").at("outcome").string == "ok");
  CHECK(r.at("before").at("site").string.empty());
  CHECK(r.at("after").at("outcome").string == "check_failed");
  CHECK(r.at("after").at("site").string == site + "42");
  // The text run recorded runs 2 and 3, the JSON run 4 and 5.
  const auto before = static_cast<std::int64_t>(r.at("before_run").number);
  const auto after = static_cast<std::int64_t>(r.at("after_run").number);
  CHECK(before == 4);
  CHECK(after == 5);
  CHECK(r.at("before").at("run").number == 4);
  CHECK(r.at("after").at("run").number == 5);
  const std::string seq = std::to_string(known.seq);
  // Each side's event at the culprit's seq, as show prints it (the line
  // after its label, leading spaces dropped).
  const auto line = [&](const std::string& label) {
    const auto at = text.out.find("\n  " + label);
    REQUIRE(at != std::string::npos);
    const std::string rest = text.out.substr(at + 3 + label.size());
    return rest.substr(rest.find_first_not_of(' '), rest.find('\n') - rest.find_first_not_of(' '));
  };
  CHECK(contains(text.out, "bisected run 1 (check_failed at scenarios/bank_transfer.cpp:42) against fifo in " +
                               std::to_string(static_cast<int>(r.at("attempts").number)) + " attempts\n"));
  CHECK(contains(text.out, "\nculprit: decision " + std::to_string(decision) + " of " +
                               std::to_string(known.decisions) + " at seq " + seq +
                               ", which goroutine runs: option "));
  const std::string failing_line = line("run 1  "), passing_line = line("fifo   ");
  CHECK(failing_line.rfind(seq + "  0s", 0) == 0);
  CHECK(contains(failing_line, " g" + std::to_string(known.failing_gid) + " "));
  CHECK(contains(failing_line, "  at " + site + std::to_string(known.failing_line)));
  CHECK(passing_line.rfind(seq + "  0s", 0) == 0);
  CHECK(contains(passing_line, " g" + std::to_string(known.passing_gid) + " teller "));
  CHECK(contains(passing_line, "  at " + site + "33"));
  CHECK(contains(text.out, "\n  before  run 2  first " + std::to_string(decision - 1) + " decisions kept  ok\n"));
  CHECK(contains(text.out, "\n  after   run 3  first " + std::to_string(decision) +
                               " decisions kept  check_failed at scenarios/bank_transfer.cpp:42\n"));
  CHECK(contains(text.out, "\ncompare them: " + gr::test::bin() + " diff 2 3 --db " + log.db + "\n"));

  // diff shows the neighbours side by side, parting at the culprit.
  const Json d = parse_json(log.cli({"diff", std::to_string(before), std::to_string(after), "--json"}).out);
  CHECK(d.at("divergence").at("seq").number == static_cast<double>(known.seq));
  CHECK(d.at("divergence").at("kind").string == "schedule");
  CHECK(d.at("divergence").at("after_a")[0].at("gid").number == known.passing_gid);
  CHECK(d.at("divergence").at("after_b")[0].at("gid").number == known.failing_gid);
  const gr::test::Cli dt = log.cli({"diff", "2", "3"});
  CHECK(dt.code == 1);
  CHECK(contains(dt.out, "diverged at seq " + seq + " after " + std::to_string(known.seq - 1) +
                             " common events: another goroutine scheduled\n"));
  // Both replay as recorded, under the strategy named bisect.
  for (const std::int64_t id : {before, after}) {
    INFO("run " << id);
    const Json rp = parse_json(log.cli({"replay", std::to_string(id), "--json"}).out);
    CHECK(rp.at("identical").boolean);
  }
  const Json runs = parse_json(log.cli({"runs", "--json"}).out).at("runs");
  REQUIRE(runs.size() == 5);
  CHECK(runs[3].at("strategy").string == "bisect");
  CHECK(runs[4].at("strategy").string == "bisect");
}

TEST_CASE("cli: bisect --against a passing run recorded with a seed", "[bisect]") {
  BisectLog log;
  // The first seed of the random strategy on which bank_transfer passes.
  std::int64_t pass = 0;
  for (int seed = 1; seed <= 50 && pass == 0; ++seed) {
    const gr::test::Cli rec = log.cli({"record", "bank_transfer", "--seed", std::to_string(seed)});
    REQUIRE(rec.code <= 1);
    if (rec.code == 0) pass = static_cast<std::int64_t>(log.runs());
  }
  REQUIRE(pass != 0);
  const std::size_t runs = log.runs();
  const gr::test::Cli j = log.cli({"bisect", "1", "--against", std::to_string(pass), "--json"});
  REQUIRE(j.code == 0);
  const Json r = parse_json(j.out);
  CHECK(r.at("against").number == static_cast<double>(pass));
  CHECK(r.at("found").boolean);
  CHECK(r.at("before").at("outcome").string == "ok");
  CHECK(r.at("after").at("outcome").string == "check_failed");
  CHECK(r.at("after").at("site").string == "scenarios/bank_transfer.cpp:42");
  const auto before = static_cast<std::int64_t>(r.at("before_run").number);
  const auto after = static_cast<std::int64_t>(r.at("after_run").number);
  CHECK(before == static_cast<std::int64_t>(runs) + 1);
  CHECK(after == static_cast<std::int64_t>(runs) + 2);
  CHECK(r.at("swapped")[0].number != r.at("swapped")[1].number);
  CHECK(r.at("failing").at("option").number != r.at("passing").at("option").number);
  const Json d = parse_json(log.cli({"diff", std::to_string(before), std::to_string(after), "--json"}).out);
  CHECK(d.at("divergence").at("seq").number == r.at("culprit_seq").number);
  CHECK(d.at("divergence").at("after_a")[0].at("gid").number == r.at("swapped")[1].number);
  CHECK(d.at("divergence").at("after_b")[0].at("gid").number == r.at("swapped")[0].number);
  const gr::test::Cli text = log.cli({"bisect", "1", "--against", std::to_string(pass)});
  CHECK(text.code == 0);
  CHECK(contains(text.out, " against run " + std::to_string(pass) + " in "));
  const std::string seq = std::to_string(static_cast<int>(r.at("culprit_seq").number));
  const std::string label = "\n  run " + std::to_string(pass) + "  ";
  REQUIRE(contains(text.out, label));
  const std::string line = text.out.substr(text.out.find(label) + label.size());
  CHECK(line.substr(line.find_first_not_of(' ')).rfind(seq + "  0s", 0) == 0);
}

TEST_CASE("cli: bisect's bad input is one line and exit 2; no culprit is exit 1; neither changes the log",
          "[bisect]") {
  BisectLog log;
  REQUIRE(log.cli({"record", "handoff"}).code == 0);  // run 2: another scenario, passing
  REQUIRE(log.cli({"record", "bank_transfer", "--strategy", "fifo"}).code == 0);  // run 3: passes
  REQUIRE(log.cli({"record", "chan_deadlock"}).code == 1);  // run 4: deadlocks on every schedule
  const std::size_t runs = log.runs();
  const struct {
    std::vector<std::string> args;
    std::string says;
  } bad[] = {
      {{"bisect", "3"}, "run 3 did not fail: nothing to bisect"},
      {{"bisect", "1", "--against", "1"}, "run 1 did not pass (check_failed): --against needs a passing run"},
      {{"bisect", "1", "--against", "2"}, "are not runs of one scenario with the same parameters"},
      {{"bisect", "9"}, "no run 9"},
      {{"bisect", "1", "--against", "9"}, "no run 9"},
      {{"bisect", "one"}, "'one' is not a run id"},
      {{"bisect", "1", "--max-attempts", "0"}, "--max-attempts must be at least 1"},
      {{"bisect", "1", "--max-attempts", "x"}, "--max-attempts: 'x'"},
      {{"bisect", "1", "--timeout", "-1"}, "--timeout"},
      {{"bisect"}, "run is required"},
  };
  for (const auto& b : bad) {
    INFO(b.args[b.args.size() - 1]);
    const gr::test::Cli r = log.cli(b.args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    REQUIRE(r.err.size() == 1);
    CHECK(contains(r.err[0], "gorewind: error: "));
    CHECK(contains(r.err[0], b.says));
  }
  const gr::test::Cli missing = gr::test::cli(log.dir, {"bisect", "1", "--db", log.dir.file("missing.db")});
  CHECK(missing.code == 2);
  CHECK(missing.err.size() == 1);
  // Too few attempts to verify: exit 1, saying why, nothing recorded.
  const gr::test::Cli few = log.cli({"bisect", "1", "--max-attempts", "3"});
  CHECK(few.code == 1);
  CHECK(contains(few.out, "\nno culprit: the attempts ran out (3) before a culprit was verified: raise "
                          "--max-attempts\n"));
  // fifo deadlocks too: nothing passes.
  const gr::test::Cli no_pass = log.cli({"bisect", "4"});
  CHECK(no_pass.code == 1);
  CHECK(contains(no_pass.out, "\nno culprit: fifo's schedule ends in deadlock: nothing passes to bisect from (give "
                              "--against a passing run)\n"));
  CHECK(parse_json(log.cli({"bisect", "4", "--json"}).out).at("status").string == "passing_fails");
  const Json j = parse_json(log.cli({"bisect", "1", "--max-attempts", "3", "--json"}).out);
  CHECK(j.at("status").string == "out_of_attempts");
  CHECK_FALSE(j.at("found").boolean);
  CHECK(j.at("culprit_seq").is_null());
  CHECK(j.at("before_run").is_null());
  CHECK(log.runs() == runs);
}
