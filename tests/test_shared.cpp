// gr::rand, gr::shared<T> and gr::watch.
#include <catch2/catch.hpp>

#include <set>

#include "support.hpp"

namespace gr = gorewind;
using gr::test::run_with;

namespace {
std::vector<std::uint64_t> draws(std::uint64_t seed) {
  std::vector<std::uint64_t> v;
  run_with([&] { for (int i = 0; i < 5; ++i) v.push_back(gr::rand()); }, "random", seed);
  return v;
}
// switches() is the sequence of goroutines the scheduler switched to.
std::vector<gr::Gid> switches(const gr::test::RunOutput& out) {
  std::vector<gr::Gid> v;
  for (const auto& e : out.events)
    if (e.kind == gr::EventKind::Switch) v.push_back(e.gid);
  return v;
}
}  // namespace

TEST_CASE("rand: the run's seed decides the numbers", "[semantics]") {
  CHECK(draws(7) == draws(7));
  CHECK(draws(7) != draws(8));
  auto out = run_with([] { gr::rand_below(10); }, "fifo", 3);
  REQUIRE(out.events.size() >= 3);
  const auto& e = out.events[out.events.size() - 2];  // before main's exit
  CHECK(e.kind == gr::EventKind::Rand);
  CHECK(e.amount < 10);
}

TEST_CASE("rand: drawing numbers does not change the schedule", "[semantics]") {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    auto program = [](bool draw) {
      return [draw] {
        gr::chan<int> c(0, "c");
        gr::WaitGroup wg;
        for (int i = 0; i < 3; ++i) {
          wg.add(1);
          gr::go([&, i] {
            if (draw) gr::rand();
            c.send(i);
            wg.done();
          });
        }
        gr::go([&] { wg.wait(); c.close(); });
        for (int v : c) (void)v;
      };
    };
    INFO("seed " << seed);
    CHECK(switches(run_with(program(true), "random", seed)) == switches(run_with(program(false), "random", seed)));
  }
}

TEST_CASE("shared: unsynchronised increments lose updates on some schedules, never without preemption",
          "[semantics]") {
  // The race detector would end each run at its first race: off here, to see the lost updates.
  const auto off = gr::RaceMode::Off;
  auto counter = [](int& final_value) {
    return [&final_value] {
      gr::shared<int> n(0, "n");
      gr::WaitGroup wg;
      for (int i = 0; i < 3; ++i) {
        wg.add(1);
        gr::go([&] {
          n.store(n.load() + 1);
          wg.done();
        });
      }
      wg.wait();
      final_value = n.load();
    };
  };
  int v = 0;
  run_with(counter(v), "fifo", 1, off);
  CHECK(v == 3);
  std::set<int> seen;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    run_with(counter(v), "random", seed, off);
    seen.insert(v);
  }
  CHECK(seen.count(3) == 1);
  CHECK(*seen.begin() < 3);  // a lost update happened on some seed
}

TEST_CASE("shared: every access is an event with the value", "[semantics]") {
  auto out = run_with(
      [] {
        gr::shared<int> n(5, "n");
        n.store(n.load() * 2);
      },
      "fifo");
  std::vector<std::string> got;
  for (const std::string& l : out.lines)
    if (l.find(" load") != std::string::npos || l.find(" store") != std::string::npos) got.push_back(l);
  CHECK(got == std::vector<std::string>{"g1 load #1 =5", "g1 store #1 =10"});
}

TEST_CASE("watch: a watched value is an event with its name", "[semantics]") {
  auto out = run_with([] { gr::watch("queue_len", 3); }, "fifo");
  bool found = false;
  for (const auto& e : out.events)
    if (e.kind == gr::EventKind::Watch) {
      found = true;
      CHECK(e.text == "queue_len");
      CHECK(e.value == "3");
    }
  CHECK(found);
}
