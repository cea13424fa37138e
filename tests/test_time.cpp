// test_time.cpp: the virtual clock. It starts at zero, moves only when every
// goroutine is blocked, and then jumps straight to the earliest timer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::run_with;
using gr::test::schedules;
using gr::test::ns;
using gr::test::now_ns;

TEST_CASE("time: sleep advances the virtual clock by exactly its duration", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::int64_t> t;
    auto out = run_with(
        [&] {
          t.push_back(now_ns());
          gr::sleep(5ms);
          t.push_back(now_ns());
          gr::sleep(0ns);  // no time passes
          t.push_back(now_ns());
          for (int i = 0; i < 10; ++i) gr::sleep(1us);
          t.push_back(now_ns());
          gr::sleep(3s);
          t.push_back(now_ns());
          t.push_back(gr::virtual_clock::now().time_since_epoch().count());
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    const std::int64_t end = ns(5ms) + 10 * ns(1us) + ns(3s);
    CHECK(t == std::vector<std::int64_t>{0, ns(5ms), ns(5ms), ns(5ms) + 10 * ns(1us), end, end});
    CHECK(out.result.vtime_ns == end);
  }
}

TEST_CASE("time: sleepers in several goroutines wake in deadline order, each at its deadline", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::pair<int, std::int64_t>> woke;  // (ms slept, now at wake-up)
    auto out = run_with(
        [&] {
          gr::WaitGroup wg;
          for (int d : {30, 10, 50, 20, 40}) {
            wg.add(1);
            gr::go(
                [&, d] {
                  gr::sleep(std::chrono::milliseconds(d));
                  woke.push_back({d, now_ns()});
                  wg.done();
                },
                "sleeper");
          }
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    std::vector<std::pair<int, std::int64_t>> want;
    for (int d : {10, 20, 30, 40, 50}) want.push_back({d, ns(std::chrono::milliseconds(d))});
    CHECK(woke == want);
    CHECK(out.result.vtime_ns == ns(50ms));
  }
}

TEST_CASE("time: sleepers with the same deadline all wake at it, in an order the strategy picks", "[semantics]") {
  bool a_first_seen = false, b_first_seen = false;
  for (const auto& [strategy, seed] : schedules(40)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::pair<char, std::int64_t>> woke;
    auto out = run_with(
        [&] {
          gr::WaitGroup wg;
          wg.add(2);
          gr::go(
              [&] {
                gr::sleep(7ms);
                woke.push_back({'a', now_ns()});
                wg.done();
              },
              "a");
          gr::go(
              [&] {
                gr::sleep(7ms);
                woke.push_back({'b', now_ns()});
                wg.done();
              },
              "b");
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE(woke.size() == 2);
    CHECK(woke[0].second == ns(7ms));
    CHECK(woke[1].second == ns(7ms));
    if (strategy == "fifo") {
      // fifo fires simultaneous timers in the order they were set.
      CHECK(woke[0].first == 'a');
    } else {
      (woke[0].first == 'a' ? a_first_seen : b_first_seen) = true;
    }
  }
  // A real race in Go: across seeds, both orders happen.
  CHECK(a_first_seen);
  CHECK(b_first_seen);
}

TEST_CASE("time: the clock does not move while any goroutine can run", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::string> order;
    std::int64_t spinner_max_now = -1, sleeper_now = -1;
    auto out = run_with(
        [&] {
          gr::WaitGroup wg;
          wg.add(2);
          gr::go(
              [&] {
                gr::sleep(1ns);
                sleeper_now = now_ns();
                order.push_back("sleeper");
                wg.done();
              },
              "sleeper");
          gr::go(
              [&] {
                for (int i = 0; i < 300; ++i) {
                  gr::yield();
                  spinner_max_now = std::max(spinner_max_now, now_ns());
                }
                order.push_back("spinner");
                wg.done();
              },
              "spinner");
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(spinner_max_now == 0);
    CHECK(sleeper_now == 1);
    CHECK(order == std::vector<std::string>{"spinner", "sleeper"});
  }
}

TEST_CASE("time: after(d) delivers the time now+d on its channel", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    std::int64_t got = -1, at = -1, buffered = -1, at2 = -1;
    std::size_t cap = 0;
    auto out = run_with(
        [&] {
          gr::sleep(3ms);
          auto c = gr::after(5ms);
          cap = c.cap();
          got = c.recv().time_since_epoch().count();
          at = now_ns();
          // Nobody receiving when it fires: the value waits in the channel.
          auto d = gr::after(1ms);
          gr::sleep(10ms);
          buffered = d.recv().time_since_epoch().count();
          at2 = now_ns();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(cap == 1);
    CHECK(got == ns(8ms));
    CHECK(at == ns(8ms));
    CHECK(buffered == ns(9ms));
    CHECK(at2 == ns(18ms));
  }
}

TEST_CASE("time: a timer still pending when main returns does not move the clock", "[semantics]") {
  auto out = run_with(
      [&] {
        gr::sleep(2ms);
        auto c = gr::after(1h);
        (void)c;
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(out.result.vtime_ns == ns(2ms));
}

TEST_CASE("leak: a goroutine asleep on a timer when main returns is not a leak: the drain wakes it", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    auto out = run_with(
        [&] {
          gr::go([] { gr::sleep(1h); }, "sleeper");
          gr::go([] { (void)gr::after(2h).recv(); }, "after_waiter");
          gr::go(
              [] {
                gr::chan<int> never(0, "never");
                gr::select(gr::recv(never), gr::after_case(3h));
              },
              "timeout_waiter");
          gr::sleep(1ms);  // all three are waiting on timers
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(out.result.blocked.empty());
    CHECK(out.result.vtime_ns == ns(3h));  // the last timer, the select's
  }
  // Beside a goroutine that is blocked forever, only that one is reported.
  auto out = run_with(
      [&] {
        gr::chan<int> never(0, "never");
        gr::go([] { gr::sleep(1h); }, "sleeper");
        gr::go([&] { never.recv(); }, "stuck");
        gr::sleep(1ms);
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Leak);
  REQUIRE(out.result.blocked.size() == 1);
  CHECK(out.result.blocked[0].name == "stuck");
  CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanRecv);
  CHECK(out.result.blocked[0].object == "never");
}

TEST_CASE("wait-for: a pending timer's channel is woken by the runtime's timer, live and from the events alike",
          "[semantics]") {
  // When main's sleep ends (the first timer to fire) every other goroutine
  // waits: on after()'s channel, in a select with a timeout, on a Ticker's
  // channel, and on a stopped Timer's channel, which nothing will ever wake.
  struct AtFirstFire final : gr::Observer {
    gr::StateBuilder builder;
    std::optional<gr::RuntimeState> live, rebuilt;
    void on_event(const gr::Event& e) override {
      builder.apply(e);
      if (!live && e.kind == gr::EventKind::TimerFire) {
        live = gr::capture_state();
        rebuilt = builder.state();
      }
    }
  } at;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.observers = {&at};
  const gr::RunResult r = gr::run(
      [] {
        gr::chan<int> never(0, "never");
        gr::go([] { (void)gr::after(2s).recv(); }, "after_waiter");
        gr::go([never] { gr::select(gr::recv(never), gr::after_case(3s)); }, "timeout_waiter");
        gr::Ticker tick(1s);
        gr::go([c = tick.C] { (void)c.recv(); }, "ticker_waiter");
        gr::Timer stopped(1h);
        stopped.stop();
        gr::go([c = stopped.C] { (void)c.recv(); }, "stopped_waiter");
        gr::sleep(1ms);
        tick.stop();
      },
      o);
  CHECK(r.outcome == gr::Outcome::Leak);  // stopped_waiter, and the ticker's once it stopped
  REQUIRE(at.live);
  CHECK(*at.live == *at.rebuilt);
  const gr::WaitForGraph g = gr::wait_for_graph(*at.live);
  const std::vector<gr::Waker> timer{{0, "runtime", gr::WakeRole::Timer}};
  std::map<std::string, std::vector<std::vector<gr::Waker>>> wakers;
  for (const gr::WaitForNode& n : g.blocked)
    for (const gr::WaitedObject& w : n.waits_on) wakers[n.name].push_back(w.wakers);
  CHECK(wakers["after_waiter"] == std::vector<std::vector<gr::Waker>>{timer});
  // The select: never (no peer; main, asleep, is not active), then the timeout's channel.
  CHECK(wakers["timeout_waiter"] == std::vector<std::vector<gr::Waker>>{{}, timer});
  CHECK(wakers["ticker_waiter"] == std::vector<std::vector<gr::Waker>>{timer});
  CHECK(wakers["stopped_waiter"] == std::vector<std::vector<gr::Waker>>{{}});
}
