// test_dpor.cpp: dpor runs one schedule per Mazurkiewicz trace and misses
// none. On small built-in scenarios it must reach exactly the results an
// unbounded dfs reaches (outcome, final watched values, the values each
// goroutine received) in far fewer schedules; the trace classes both count
// agree; the Good-Turing estimate and --until-confident behave as defined.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gorewind/dpor_strategy.hpp>
#include <gorewind/trace_class.hpp>

#include "support.hpp"

namespace gr = gorewind;

namespace {

// Result is what a schedule shows a user, by goroutine name.
struct Result {
  std::string outcome;
  std::map<std::string, std::string> watched;
  std::map<std::string, std::vector<std::string>> received;
  auto operator<=>(const Result&) const = default;
};

// Results collects each run's Result and the events that led to it.
class Results final : public gr::Observer {
 public:
  void on_run_begin(const gr::RunInfo& info) override {
    hasher_.on_run_begin(info);
    now_ = Result{};
    names_ = {"runtime", "main"};
    events_.clear();
  }
  void on_event(const gr::Event& e) override {
    hasher_.on_event(e);
    if (e.kind == gr::EventKind::Spawn) {
      if (names_.size() <= e.peer) names_.resize(e.peer + 1);
      names_[e.peer] = std::string(e.text);
    }
    const std::string value = e.value ? e.value.to_string() : "";
    if (e.kind == gr::EventKind::Recv) now_.received[names_[e.gid]].push_back(e.ok ? value : "closed");
    if (e.kind == gr::EventKind::Select)
      now_.received[names_[e.gid]].push_back("case " + std::to_string(e.select_case) + " " + value);
    if (e.kind == gr::EventKind::Watch) now_.watched[std::string(e.text)] = value;
    if (e.kind != gr::EventKind::Switch) events_.push_back({e.gid, e.kind, e.obj, value});
  }
  void on_run_end(const gr::RunResult& r) override {
    now_.outcome = std::string(gr::to_string(r.outcome)) + " " + r.message;
    if (!seen_.count(now_)) seen_.emplace(now_, text());
    if (!classes_.count(hasher_.hash())) classes_.emplace(hasher_.hash(), text());
  }
  // classes() are the trace classes seen, each with the events of one run.
  const std::map<std::uint64_t, std::string>& classes() const { return classes_; }
  std::set<Result> results() const {
    std::set<Result> out;
    for (const auto& [r, events] : seen_) out.insert(r);
    return out;
  }
  const std::string& events_of(const Result& r) const { return seen_.at(r); }

 private:
  Result now_;
  std::vector<std::string> names_;
  struct Seen {
    gr::Gid gid;
    gr::EventKind kind;
    std::uint32_t obj;
    std::string value;
  };
  std::string text() const {
    std::string out;
    for (const Seen& e : events_)
      out += names_[e.gid] + " " + std::string(gr::to_string(e.kind)) + " " + std::to_string(e.obj) + " " + e.value +
             "\n";
    return out;
  }
  std::vector<Seen> events_;
  std::map<Result, std::string> seen_;
  gr::TraceClassHasher hasher_;
  std::map<std::uint64_t, std::string> classes_;
};

struct Search {
  std::uint64_t runs = 0;
  std::uint64_t classes = 0;
  bool exhausted = false;
};

// search() runs a search to its end: dfs unbounded, dpor, or runs schedules
// of a sampling strategy.
Search search(const std::string& scenario, const std::map<std::string, std::string>& params,
              const std::string& strategy, Results& results, std::uint64_t runs = 0) {
  const gr::Scenario* sc = gr::find_scenario(scenario);
  REQUIRE(sc != nullptr);
  gr::ExploreOptions o;
  o.strategy = strategy;
  o.depth = strategy == "dfs" ? 1000 : 0;  // dfs unbounded
  o.runs = runs;
  o.keep_going = true;
  o.run.scenario = scenario;
  o.run.params = params;
  o.run.observers = {&results};
  // As a Go program ends when main returns: the scenarios' goroutines hold
  // main's locals by reference, and the drain would run them after it.
  o.run.drain_steps = 0;
  o.run.max_steps = 2000;
  const gr::ExploreResult r = gr::explore(sc->body, o);
  return {r.runs, r.classes, r.exhausted};
}

}  // namespace

TEST_CASE("dpor: the same results as an unbounded dfs, in far fewer schedules, on ten scenarios (five under the sanitizers)", "[dpor]") {
  // heavy: the unbounded dfs runs more than 50,000 schedules (up to
  // 384,000), which the sanitizer build, looking for memory errors rather
  // than checking the search, leaves to the release suite.
  struct Case {
    const char* scenario;
    std::map<std::string, std::string> params;
    bool heavy = false;
  };
  const std::vector<Case> cases = {
      {"handoff", {}},
      {"ping_pong", {{"n", "2"}}, true},
      {"flaky_order", {{"setup", "1"}, {"work", "1"}}, true},
      {"close_twice", {}},
      {"dining_philosophers", {{"n", "2"}, {"meals", "1"}}, true},
      {"rw_recursive", {}},
      {"cond_lost_wakeup", {{"jobs", "1"}, {"workers", "1"}}, true},
      {"select_timeout", {}},
      {"timer_race", {}},
      {"mutex_counter", {{"workers", "2"}, {"increments", "1"}}, true},
  };
  for (const Case& c : cases) {
    if (const char* only = std::getenv("DPOR_ONLY"); only && std::string(only) != c.scenario) continue;
    if (c.heavy && gr::test::kSanitized) continue;
    INFO(c.scenario);
    Results by_dpor, by_dfs;
    const Search dpor = search(c.scenario, c.params, "dpor", by_dpor);
    const Search dfs = search(c.scenario, c.params, "dfs", by_dfs);
    CHECK(dpor.exhausted);
    CHECK(dfs.exhausted);
    for (const Result& r : by_dfs.results()) {
      INFO("dfs reached, dpor did not:\n" << by_dfs.events_of(r));
      CHECK(by_dpor.results().count(r) == 1);
    }
    CHECK(by_dpor.results() == by_dfs.results());
    for (const auto& [hash, events] : by_dfs.classes()) {
      INFO("a trace dfs ran and dpor did not:\n" << events);
      CHECK(by_dpor.classes().count(hash) == 1);
    }
    CHECK(dpor.classes == dfs.classes);
    CHECK(dpor.runs < dfs.runs);
    WARN(c.scenario << ": dpor " << dpor.runs << " schedules, dfs " << dfs.runs << "; " << dpor.classes
                    << " traces");
  }
}

TEST_CASE("dpor: on three philosophers, where an unbounded dfs does not finish, every trace and result that "
          "sampling reaches",
          "[dpor]") {
  const std::map<std::string, std::string> params{{"n", "3"}, {"meals", "1"}};
  Results by_dpor;
  const Search dpor = search("dining_philosophers", params, "dpor", by_dpor);
  CHECK(dpor.exhausted);
  for (const char* strategy : {"random", "pct", "surw"}) {
    INFO(strategy);
    Results sampled;
    search("dining_philosophers", params, strategy, sampled, 20000);
    for (const Result& r : sampled.results()) {
      INFO(strategy << " reached, dpor did not:\n" << sampled.events_of(r));
      CHECK(by_dpor.results().count(r) == 1);
    }
    for (const auto& [hash, events] : sampled.classes()) {
      INFO("a trace " << strategy << " ran and dpor did not:\n" << events);
      CHECK(by_dpor.classes().count(hash) == 1);
    }
    CHECK(sampled.classes().size() > 100);
  }
  WARN("dining_philosophers n=3 meals=1: dpor " << dpor.runs << " schedules, " << dpor.classes << " traces");
}

namespace {

// schedules() runs a dfs or dpor search to its end and returns each
// schedule's decisions. hop: after each schedule, a fresh strategy takes the
// search over from the state saved before it and the journal it wrote, as
// the worker that replaces a dead one does.
std::vector<std::vector<gr::Choice>> schedules(const gr::Scenario& sc, const std::map<std::string, std::string>& params,
                                               const std::string& strategy, bool hop) {
  std::vector<std::vector<gr::Choice>> out;
  std::shared_ptr<gr::Strategy> made = gr::make_strategy(strategy);
  for (;;) {
    auto* search = dynamic_cast<gr::SystematicStrategy*>(made.get());
    REQUIRE(search != nullptr);
    std::string state, journal;
    search->save(state);
    search->journal_to([&](std::string_view record) { journal.append(record); });
    auto rec = std::make_shared<gr::RecordingStrategy>(made);
    gr::RunOptions ro;
    ro.scenario = sc.name;
    ro.params = params;
    ro.strategy = rec;
    ro.drain_steps = 0;
    ro.max_steps = 2000;
    gr::run(sc.body, ro);
    out.push_back(rec->choices());
    if (hop) {
      made = gr::make_strategy(strategy);
      search = dynamic_cast<gr::SystematicStrategy*>(made.get());
      search->load(state);
      search->replay(journal, false);
    }
    if (!search->advance()) return out;
    REQUIRE(out.size() < 100000);
  }
}

}  // namespace

TEST_CASE("dfs and dpor: a search taken over after every schedule, from its saved state and the schedule's journal, "
          "runs the same schedules as one that never stops",
          "[dpor]") {
  const std::vector<std::pair<const char*, std::map<std::string, std::string>>> cases = {
      {"flaky_order", {{"setup", "1"}, {"work", "1"}}},
      {"dining_philosophers", {{"n", "2"}, {"meals", "1"}}},
      {"cond_lost_wakeup", {{"jobs", "1"}, {"workers", "1"}}},
      {"mutex_counter", {{"workers", "2"}, {"increments", "1"}}},
      {"timer_race", {}},
      {"pool_abort", {{"work", "0"}, {"panic", "1"}}},
  };
  for (const auto& [name, params] : cases) {
    for (const std::string strategy : {"dfs", "dpor"}) {
      INFO(name << " under " << strategy);
      const gr::Scenario* sc = gr::find_scenario(name);
      REQUIRE(sc != nullptr);
      const auto whole = schedules(*sc, params, strategy, false);
      CHECK(whole.size() > 1);
      CHECK(schedules(*sc, params, strategy, true) == whole);
    }
  }
}

TEST_CASE("dfs and dpor: a saved state or a journal they did not write is refused with an Error", "[dpor]") {
  for (const std::string strategy : {"dfs", "dpor"}) {
    INFO(strategy);
    std::shared_ptr<gr::Strategy> made = gr::make_strategy(strategy);
    auto* search = dynamic_cast<gr::SystematicStrategy*>(made.get());
    CHECK_THROWS_AS(search->load("\x01\x05"), gr::Error);
    CHECK_THROWS_AS(search->replay(std::string_view("\x07\x00\x00", 3), true), gr::Error);
  }
}
