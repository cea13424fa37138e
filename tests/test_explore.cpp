// test_explore.cpp: hunting flaky bugs. pct and random find the built-in
// buggy scenarios and a found schedule replays exactly; a correct program
// gives no failure; dfs visits exactly the schedules counted by hand; shards
// partition a search; schedule scripts replay and report where a run left them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;

namespace {

const gr::Scenario& scenario(const std::string& name) {
  const gr::Scenario* sc = gr::find_scenario(name);
  REQUIRE(sc != nullptr);
  return *sc;
}

// hash_of() runs fn under strategy and returns the run's trace hash.
std::string hash_of(const std::function<void()>& fn, std::shared_ptr<gr::Strategy> strategy, std::uint64_t seed,
                    gr::RunResult* result = nullptr) {
  gr::TraceHasher h;
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = std::move(strategy);
  o.observers = {&h};
  gr::RunResult r = gr::run(fn, o);
  if (result) *result = r;
  return h.hex();
}

// Two spawns, then main returns. By hand, with P the preemption bound
// (a preemption: another goroutine runs where main could go on):
//   after go(a), main goes on; after go(b), main goes on: 1 schedule
//                                          b's spawn lets a run, then b or main: 2
//                                          b's spawn lets b run, then a or main: 2
//   after go(a), a runs first; after go(b), main goes on: 1
//                                           b runs (a 2nd preemption): 1
// P = 0: 1; P = 1: 1 + 2 + 2 + 1 = 6; P = 2: 7.
void two_spawns() {
  gr::go([] {}, "a");
  gr::go([] {}, "b");
}

}  // namespace

TEST_CASE("explore: pct and random find each buggy scenario, and the schedule replays", "[explore]") {
  for (const char* name : {"flaky_order", "dining_philosophers", "rw_recursive"}) {
    for (const char* strategy : {"random", "pct"}) {
      INFO(name << " under " << strategy);
      const gr::Scenario& sc = scenario(name);
      gr::ExploreOptions o;
      o.strategy = strategy;
      o.runs = 20000;
      const gr::ExploreResult r = gr::explore(sc.body, o);
      INFO(r.summary());
      REQUIRE(r.failures.size() == 1);  // stops at the first
      const gr::ExploreFailure& f = r.failures.front();
      CHECK(r.runs == f.seed);          // seeds 1..runs, the last one failed
      // The seed alone, and the recorded decisions alone, give the same run.
      gr::RunResult by_seed, by_script;
      const std::string a =
          hash_of(sc.body, gr::make_strategy(strategy, {.pct_steps = r.pct_steps}), f.seed, &by_seed);
      auto script = std::make_shared<gr::ScriptedStrategy>(f.schedule);
      const std::string b = hash_of(sc.body, script, 999, &by_script);
      CHECK(a == b);
      CHECK(by_seed.outcome == f.result.outcome);
      CHECK(by_script.message == f.result.message);
      CHECK_FALSE(script->diverged());
      CHECK(script->used() == f.schedule.size());
    }
  }
}

TEST_CASE("explore: a correct scenario gives no failure over 20,000 schedules", "[explore]") {
  for (const char* strategy : {"random", "pct"}) {
    gr::ExploreOptions o;
    o.strategy = strategy;
    o.runs = 20000;
    const gr::ExploreResult r = gr::explore(scenario("handoff").body, o);
    INFO(r.summary());
    CHECK(r.ok());
    CHECK(r.runs == 20000);
  }
}

TEST_CASE("explore: dfs visits exactly the schedules counted by hand and says when it is done", "[explore]") {
  for (const auto& [bound, expected] : std::vector<std::pair<int, std::uint64_t>>{{1, 7}, {2, 8}, {5, 8}}) {
    INFO("preemption bound " << bound);
    std::set<std::string> hashes;
    gr::TraceHasher h;
    gr::ExploreOptions o;
    o.strategy = "dfs";
    o.depth = bound;
    o.runs = 0;
    o.run.observers = {&h};
    o.progress = [&](std::uint64_t, std::uint64_t) { hashes.insert(h.hex()); };
    const gr::ExploreResult r = gr::explore(two_spawns, o);
    CHECK(r.exhausted);
    CHECK(r.runs == expected);
    CHECK(hashes.size() == expected);  // each one a different schedule
  }
  // A bound of 0 (no preemption): explore's depth 0 means the default, so
  // ask the strategy directly.
  gr::DfsStrategy dfs(0);
  auto shared = std::shared_ptr<gr::Strategy>(&dfs, [](gr::Strategy*) {});
  std::uint64_t runs = 0;
  do {
    hash_of(two_spawns, shared, 1);
    ++runs;
  } while (dfs.advance());
  CHECK(runs == 2);  // after main returns, the drain runs a or b first
  CHECK(dfs.exhausted());
}

TEST_CASE("explore: shards partition the seeds and the dfs tree", "[explore]") {
  gr::ExploreOptions o;
  o.strategy = "dfs";
  o.depth = 2;
  o.runs = 0;
  std::uint64_t total = 0;
  for (unsigned i = 0; i < 3; ++i) {
    o.shard_index = i;
    o.shard_count = 3;
    const gr::ExploreResult r = gr::explore(two_spawns, o);
    CHECK(r.exhausted);
    total += r.runs;
  }
  CHECK(total == 8);  // the first decision has two options: shard 2 is empty

  // Random seeds: every seed of the range in exactly one shard, and the same
  // failures as one unsharded search.
  gr::ExploreOptions whole;
  whole.runs = 600;
  whole.keep_going = true;
  const auto all = gr::explore(scenario("flaky_order").body, whole);
  REQUIRE_FALSE(all.failures.empty());
  std::set<std::uint64_t> failing, seen;
  std::uint64_t runs = 0;
  for (unsigned i = 0; i < 4; ++i) {
    gr::ExploreOptions part = whole;
    part.shard_index = i;
    part.shard_count = 4;
    part.progress = [&](std::uint64_t, std::uint64_t) {};
    const auto r = gr::explore(scenario("flaky_order").body, part);
    runs += r.runs;
    for (const auto& f : r.failures) {
      CHECK((f.seed - 1) % 4 == i);
      CHECK(failing.insert(f.seed).second);
    }
  }
  CHECK(runs == 600);
  for (const auto& f : all.failures) seen.insert(f.seed);
  CHECK(failing == seen);
}

TEST_CASE("explore: a schedule script replays a run, and tells where a changed program leaves it", "[explore]") {
  const auto& sc = scenario("worker_pool");
  auto rec = std::make_shared<gr::RecordingStrategy>(std::make_shared<gr::RandomStrategy>());
  const std::string original = hash_of(sc.body, rec, 42);
  REQUIRE(rec->choices().size() > 2);
  auto script = std::make_shared<gr::ScriptedStrategy>(rec->choices());
  CHECK(hash_of(sc.body, script, 7) == original);
  CHECK_FALSE(script->diverged());

  // A cut script: the run leaves it where it ends and goes on under the fallback.
  std::vector<gr::Choice> cut(rec->choices().begin(), rec->choices().begin() + 2);
  auto tolerant = std::make_shared<gr::ScriptedStrategy>(cut, std::make_shared<gr::RandomStrategy>());
  gr::RunResult r;
  hash_of(sc.body, tolerant, 3, &r);
  CHECK(tolerant->diverged());
  CHECK(tolerant->diverged_at() == 2);
  CHECK(r.outcome == gr::Outcome::Ok);
}

TEST_CASE("explore: pct is deterministic per seed and runs the highest priority goroutine", "[explore]") {
  const auto& sc = scenario("dining_philosophers");
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto a = std::make_shared<gr::PctStrategy>(3, 50);
    auto b = std::make_shared<gr::PctStrategy>(3, 50);
    CHECK(hash_of(sc.body, a, seed) == hash_of(sc.body, b, seed));
  }
  // Depth 1 has no change point: one priority order per seed, so a goroutine
  // that could go on is never preempted by a lower one. Over seeds, pct
  // gives several schedules all the same.
  std::set<std::string> distinct;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    distinct.insert(hash_of(sc.body, std::make_shared<gr::PctStrategy>(1, 50), seed));
  CHECK(distinct.size() > 1);
}

TEST_CASE("explore: a test assertion thrown inside a goroutine fails that schedule", "[explore]") {
  struct AssertionFailed {};  // not a std::exception, like Catch2's
  gr::ExploreOptions o;
  o.runs = 50;
  o.run.races = gr::RaceMode::Off;  // the race it has would end the run first
  const auto r = gr::explore(
      [] {
        // The writer owns n with main: after main's exit the runtime may
        // still run the writer (its leak check), when main's locals are gone.
        const auto n = std::make_shared<gr::shared<int>>(0, "n");
        gr::go([n] { n->store(1); }, "writer");
        if (n->load() == 1) throw AssertionFailed{};
      },
      o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failures[0].result.outcome == gr::Outcome::Panic);
  CHECK(r.failures[0].result.message.find("uncaught exception of type") == 0);
  CHECK(r.failures[0].result.message.find("AssertionFailed") != std::string::npos);
  CHECK(r.summary().find("Replay it with") != std::string::npos);
}
