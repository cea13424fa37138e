// Timers and tickers with Go 1.23 semantics.
#include <catch2/catch.hpp>

#include <set>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::now_ns;
using gr::test::run_with;
using gr::test::schedules;

namespace {
// ready() says whether a receive on c would go through now (select + default).
bool ready(const gr::chan<gr::Time>& c) { return gr::select(gr::recv(c), gr::otherwise()) == 0; }
}  // namespace

TEST_CASE("timer: fires once, at its deadline, with the time", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    std::int64_t got = -1, at = -1;
    auto out = run_with(
        [&] {
          gr::Timer t(3s);
          got = t.C.recv().time_since_epoch().count();
          at = now_ns();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(got == gr::test::ns(3s));
    CHECK(at == gr::test::ns(3s));
  }
}

TEST_CASE("timer: stop before it fires returns true and nothing is ever received", "[semantics]") {
  bool stopped = false, later = true;
  auto out = run_with(
      [&] {
        gr::Timer t(1s);
        stopped = t.stop();
        gr::sleep(5s);
        later = ready(t.C);
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(stopped);
  CHECK_FALSE(later);
}

TEST_CASE("timer: stop after it fired but before the value was received drops the value (Go 1.23)", "[semantics]") {
  bool stopped = false, stale = true, again = true;
  auto out = run_with(
      [&] {
        gr::Timer t(1s);
        gr::sleep(2s);  // the timer has fired; nobody received
        stopped = t.stop();
        stale = ready(t.C);
        again = t.stop();
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(stopped);      // the value was still pending
  CHECK_FALSE(stale);  // and it is gone
  CHECK_FALSE(again);  // a second stop finds nothing pending
}

TEST_CASE("timer: stop after the value was received returns false", "[semantics]") {
  bool stopped = true;
  auto out = run_with(
      [&] {
        gr::Timer t(1s);
        t.C.recv();
        stopped = t.stop();
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK_FALSE(stopped);
}

TEST_CASE("timer: reset moves the deadline and leaves no stale value", "[semantics]") {
  std::int64_t got = -1;
  bool pending = false, stale = true;
  auto out = run_with(
      [&] {
        gr::Timer t(1s);
        gr::sleep(2s);  // fired at 1s, not received
        pending = t.reset(5s);
        stale = ready(t.C);
        got = t.C.recv().time_since_epoch().count();
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(pending);
  CHECK_FALSE(stale);
  CHECK(got == gr::test::ns(7s));  // 2s + 5s
}

TEST_CASE("timer: a goroutine waiting on a stopped timer is blocked forever", "[semantics]") {
  auto out = run_with(
      [&] {
        gr::Timer t(1s);
        t.stop();
        t.C.recv();
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Deadlock);
  CHECK(out.result.vtime_ns == 0);
}

TEST_CASE("ticker: ticks every period, drops ticks nobody takes, stops", "[semantics]") {
  std::vector<std::int64_t> ticks;
  bool after_stop = true;
  auto out = run_with(
      [&] {
        gr::Ticker tk(2s);
        for (int i = 0; i < 3; ++i) ticks.push_back(tk.C.recv().time_since_epoch().count());
        gr::sleep(7s);  // ticks at 8s, 10s, 12s: one fits the buffer, the rest are dropped
        ticks.push_back(tk.C.recv().time_since_epoch().count());
        ticks.push_back(tk.C.recv().time_since_epoch().count());
        tk.stop();
        gr::sleep(10s);
        after_stop = ready(tk.C);
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(ticks == std::vector<std::int64_t>{gr::test::ns(2s), gr::test::ns(4s), gr::test::ns(6s), gr::test::ns(8s),
                                           gr::test::ns(14s)});
  CHECK_FALSE(after_stop);
}

TEST_CASE("ticker: a ticker nobody reads does not keep a deadlocked program alive", "[semantics]") {
  auto out = run_with(
      [&] {
        gr::Ticker tk(1s);
        gr::chan<int> never(0, "never");
        never.recv();
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Deadlock);
  REQUIRE(out.result.blocked.size() == 1);
  CHECK(out.result.blocked[0].object == "never");
}

TEST_CASE("timer: timers due at the same instant fire in an order the strategy decides", "[semantics]") {
  std::set<std::string> orders;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::string order;
    auto out = run_with(
        [&] {
          gr::Timer a(1s), b(1s);
          gr::select(gr::recv(a.C, [&] { order += "a"; }), gr::recv(b.C, [&] { order += "b"; }));
        },
        "random", seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    // Which timer fired first shows in the TimerFire events.
    std::string fires;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::TimerFire) fires += std::to_string(e.obj) + ",";
    orders.insert(fires);
  }
  CHECK(orders.size() == 2);
  auto fifo = run_with(
      [&] {
        gr::Timer a(1s), b(1s);
        a.C.recv();
        b.C.recv();
      },
      "fifo");
  std::vector<std::uint32_t> fired;
  for (const auto& e : fifo.events)
    if (e.kind == gr::EventKind::TimerFire) fired.push_back(e.obj);
  REQUIRE(fired.size() == 2);
  CHECK(fired[0] < fired[1]);  // fifo: in the order they were set
}
