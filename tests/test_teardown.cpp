// test_teardown.cpp: what the end of a run leaves behind. Goroutines parked
// when main returns (on a channel, in a select, on a mutex, a WaitGroup, a
// sleep, inside a catch block, never started, with or without anything on
// their stacks to destroy) are torn down: the objects their frames and
// captures hold are destroyed, run after run, and none of them runs user
// code again.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "support.hpp"

namespace gr = gorewind;

namespace {

// Tracked counts its live instances.
struct Tracked {
  static inline long live = 0;
  Tracked() { ++live; }
  Tracked(const Tracked&) { ++live; }
  Tracked& operator=(const Tracked&) = default;
  ~Tracked() { --live; }
};

// leaky() leaves goroutines parked every way there is, each holding Tracked
// objects on its stack and in its captures; which ones have started and
// where each stands when main returns depends on the schedule.
void leaky() {
  gr::chan<int> never;
  gr::chan<int> once;
  gr::Mutex mu;
  gr::WaitGroup wg;
  wg.add(1);
  mu.lock();
  const Tracked captured;
  gr::go([never, captured] {
    Tracked frame;
    (void)never.recv();
  }, "recv");
  gr::go([never, captured] {
    Tracked frame;
    never.send(1);
  }, "send");
  // Nothing on these stacks to destroy, only in their captures: teardown
  // may drop their stacks without unwinding them, once it has seen one
  // unwind.
  gr::go([never, captured] { (void)never.recv(); }, "plain_recv");
  gr::go([once, captured] { once.send(2); }, "plain_send");
  gr::go([once, captured] {
    Tracked frame;
    once.send(1);  // main takes it, or not
    Tracked after;
    (void)after;
  }, "handoff");
  gr::go([never, captured] {
    Tracked frame;
    gr::select(gr::recv(never, [](int, bool) {}), gr::send(never, 2, [] {}));
  }, "select");
  gr::go([&mu, captured] {
    Tracked frame;
    mu.lock();
  }, "mutex");
  gr::go([&wg, captured] {
    Tracked frame;
    wg.wait();
  }, "waitgroup");
  gr::go([captured] {
    Tracked frame;
    gr::sleep(gr::Duration(1000));
  }, "sleep");
  gr::go([never, captured] {
    try {
      throw std::runtime_error("caught");
    } catch (const std::exception&) {
      Tracked in_handler;
      (void)never.recv();
    }
  }, "in_catch");
  gr::go([never, captured] {
    try {
      Tracked frame;
      (void)never.recv();
    } catch (...) {
      Tracked rethrowing;
      throw;
    }
  }, "rethrows");
  gr::yield();
  if (gr::rand() % 2 == 0) (void)once.recv();
}

}  // namespace

TEST_CASE("teardown: objects held by parked goroutines are destroyed, run after run", "[teardown]") {
  const std::string strategy = GENERATE("random", "pct");
  gr::ExploreOptions o;
  o.strategy = strategy;
  o.runs = 10000;
  o.keep_going = true;
  o.pct_steps = 40;
  o.run.drain_steps = 0;  // torn down where main's return finds them
  const gr::ExploreResult r = gr::explore(leaky, o);
  INFO(r.summary());
  CHECK(r.runs == 10000);
  CHECK(Tracked::live == 0);
  std::uint64_t leaks = 0;
  for (const gr::ExploreFailure& f : r.failures) leaks += f.result.outcome == gr::Outcome::Leak;
  CHECK(leaks == r.failures.size());
}

TEST_CASE("teardown: a goroutine that swallows its teardown is sent on its way at its next runtime call",
          "[teardown]") {
  static bool resumed_user_code = false;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");  // main's yield lets the goroutine park
  o.drain_steps = 0;
  const gr::RunResult r = gr::run(
      [] {
        gr::chan<int> never;
        gr::go([never] {
          Tracked frame;
          try {
            (void)never.recv();
          } catch (...) {
            Tracked swallowed;
          }
          gr::yield();  // a runtime call: it unwinds again from here
          resumed_user_code = true;
        });
        gr::yield();
      },
      o);
  CHECK(r.outcome == gr::Outcome::Leak);
  CHECK_FALSE(resumed_user_code);
  CHECK(Tracked::live == 0);
}
