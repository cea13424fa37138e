// test_corpus.cpp: the deep-bug corpus (scenarios/corpus/, docs/corpus.md).
// Each bug fails on the schedule pinned for it, exactly as written there;
// its fixed twin fails on none of the schedules tried.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>

#include <gorewind/explore.hpp>
#include <gorewind/scenario.hpp>

#include "support.hpp"

namespace gr = gorewind;

namespace {

constexpr std::string_view kFixed = "_fixed";

bool is_twin(const gr::Scenario& s) { return s.name.ends_with(kFixed); }

std::vector<const gr::Scenario*> corpus() {
  std::vector<const gr::Scenario*> out;
  for (const gr::Scenario* s : gr::scenarios())
    if (!s->origin.empty()) out.push_back(s);
  return out;
}

// Pinned is one bug's failing schedule, found by explore and written down:
// the run must end exactly so on every machine.
struct Pinned {
  const char* name;
  const char* strategy;
  std::uint64_t seed;
  gr::Outcome outcome;
  const char* message;  // the run's message, whole
};

const Pinned kPinned[] = {
    {"etcd_6857", "random", 9, gr::Outcome::Leak, "main returned while 1 goroutine is blocked forever"},
    {"etcd_6873", "random", 1, gr::Outcome::Leak, "main returned while 2 goroutines are blocked forever"},
    {"etcd_7443", "random", 41679, gr::Outcome::Deadlock, "all goroutines are asleep - deadlock!"},
    {"grpc_1353", "random", 1, gr::Outcome::Leak, "main returned while 3 goroutines are blocked forever"},
    {"hugo_5379", "random", 1, gr::Outcome::Deadlock, "all goroutines are asleep - deadlock!"},
    {"moby_27782", "random", 2, gr::Outcome::Leak, "main returned while 2 goroutines are blocked forever"},
    {"serving_2137", "random", 27, gr::Outcome::Deadlock, "all goroutines are asleep - deadlock!"},
    {"syncthing_5795", "random", 1, gr::Outcome::Deadlock, "all goroutines are asleep - deadlock!"},
    {"cockroach_13755", "random", 1, gr::Outcome::Leak, "main returned while 1 goroutine is blocked forever"},
    {"istio_16224", "random", 4, gr::Outcome::Deadlock, "all goroutines are asleep - deadlock!"},
    {"moby_33781", "random", 2, gr::Outcome::Leak, "main returned while 1 goroutine is blocked forever"},
    {"cockroach_10214", "random", 1, gr::Outcome::Leak, "main returned while 2 goroutines are blocked forever"},
    {"kubernetes_62464", "random", 4, gr::Outcome::Leak, "main returned while 2 goroutines are blocked forever"},
    {"kubernetes_70277", "random", 1, gr::Outcome::Deadlock, "all goroutines are asleep - deadlock!"},
};

}  // namespace

TEST_CASE("corpus: every bug has a fixed twin of the same origin, and cites a published bug", "[corpus]") {
  std::set<std::string> bugs;
  for (const gr::Scenario* s : corpus()) {
    INFO(s->name << " [" << s->origin << "]");
    CHECK((s->origin.starts_with("GoKer ") || s->origin.starts_with("GFuzz ") || s->origin.starts_with("GCatch ")));
    CHECK(s->origin.find('#') != std::string::npos);
    CHECK(s->file.starts_with("scenarios/corpus/"));
    if (is_twin(*s)) continue;
    bugs.insert(s->name);
    const gr::Scenario* twin = gr::find_scenario(s->name + std::string(kFixed));
    REQUIRE(twin != nullptr);
    CHECK(twin->origin == s->origin);
  }
  CHECK(bugs.size() >= 12);
  for (const Pinned& p : kPinned) bugs.erase(p.name);
  INFO("bugs without a pinned failing schedule");
  CHECK(bugs.empty());
}

TEST_CASE("corpus: each bug fails on its pinned schedule, exactly", "[corpus]") {
  for (const Pinned& p : kPinned) {
    INFO(p.name << " under " << p.strategy << " seed " << p.seed);
    const gr::Scenario* s = gr::find_scenario(p.name);
    REQUIRE(s != nullptr);
    const auto out = gr::test::run_with(s->body, p.strategy, p.seed);
    CHECK(out.result.outcome == p.outcome);
    CHECK(out.result.message == p.message);
    // The same schedule again is the same run.
    CHECK(gr::test::run_with(s->body, p.strategy, p.seed).hash == out.hash);
  }
}

TEST_CASE("corpus: no fixed twin fails, under random or pct", "[corpus]") {
  for (const gr::Scenario* s : corpus()) {
    if (!is_twin(*s)) continue;
    for (const char* strategy : {"random", "pct"}) {
      INFO(s->name << " under " << strategy);
      gr::ExploreOptions o;
      o.strategy = strategy;
      o.runs = 2000;
      const gr::ExploreResult r = gr::explore(s->body, o);
      CHECK(r.runs == 2000);
      CHECK(r.failures.empty());
    }
  }
}
