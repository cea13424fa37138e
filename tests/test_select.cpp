// test_select.cpp: Go's select rules, one test case per rule, under fifo and
// many seeds of the random strategy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
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

TEST_CASE("select: an empty select blocks forever", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool after = false;
    auto out = run_with(
        [&] {
          line = __LINE__ + 1;
          gr::select();
          after = true;
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK(out.result.message == "all goroutines are asleep - deadlock!");
    CHECK_FALSE(after);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].id == 1);
    CHECK(out.result.blocked[0].reason == gr::WaitReason::SelectNoCases);
    CHECK(out.result.blocked[0].site.line == line);
  }
}

TEST_CASE("select: a select whose channels are all nil blocks forever", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    bool fired = false, after = false;
    auto out = run_with(
        [&] {
          auto a = gr::chan<int>::nil();
          auto b = gr::chan<std::string>::nil();
          gr::select(gr::recv(a, [&](int, bool) { fired = true; }), gr::send(b, "x", [&] { fired = true; }));
          after = true;
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK_FALSE(fired);
    CHECK_FALSE(after);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].reason == gr::WaitReason::SelectNoCases);
  }
}

TEST_CASE("select: nil channel cases are never chosen", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> idx;
    auto out = run_with(
        [&] {
          auto nil = gr::chan<int>::nil();
          gr::chan<int> ready(2, "ready");
          ready.send(1);
          // A ready channel beside nil ones: always the ready one.
          idx.push_back(gr::select(gr::recv(nil), gr::send(nil, 5), gr::recv(ready), gr::send(nil, 6)));
          // Only nil channels and a default: the default.
          idx.push_back(gr::select(gr::recv(nil), gr::send(nil, 1), gr::otherwise()));
          // Waiting: a nil case beside a channel another goroutine sends on.
          gr::chan<int> later(0, "later");
          gr::go([&] { later.send(3); }, "sender");
          idx.push_back(gr::select(gr::send(nil, 9), gr::recv(later), gr::recv(nil)));
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(idx == std::vector<int>{2, 2, 1});
  }
}

TEST_CASE("select: the random strategy chooses uniformly among ready cases", "[semantics]") {
  // Two always-ready receive cases, 20 seeds x 500 selects = 10,000 trials.
  // Under a fair choice the count of case 0 is Binomial(10000, 1/2): mean
  // 5000, sigma 50. We accept 5000 +- 250 (5 sigma): a fair implementation
  // fails with probability < 6e-7, a biased one (say 45/55) fails for sure.
  {
    int counts[2] = {0, 0};
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      auto out = run_with(
          [&] {
            gr::chan<int> a(1, "a"), b(1, "b");
            for (int i = 0; i < 500; ++i) {
              if (a.len() == 0) a.send(0);
              if (b.len() == 0) b.send(1);
              ++counts[gr::select(gr::recv(a), gr::recv(b))];
            }
          },
          "random", seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
    }
    INFO("case 0: " << counts[0] << ", case 1: " << counts[1]);
    CHECK(counts[0] + counts[1] == 10000);
    CHECK(std::abs(counts[0] - 5000) <= 250);
  }
  // Three ready cases of mixed kinds, 9,000 trials: each count is
  // Binomial(9000, 1/3), mean 3000, sigma sqrt(9000*2/9) = 44.7; accept
  // 3000 +- 224 (5 sigma) for each.
  {
    int counts[3] = {0, 0, 0};
    for (std::uint64_t seed = 101; seed <= 118; ++seed) {
      auto out = run_with(
          [&] {
            gr::chan<int> a(1, "a"), b(1, "b"), c(1, "c");
            for (int i = 0; i < 500; ++i) {
              if (a.len() == 0) a.send(0);
              if (b.len() == 0) b.send(1);
              if (c.len() == 1) (void)c.recv();
              ++counts[gr::select(gr::recv(a), gr::recv(b), gr::send(c, 2))];
            }
          },
          "random", seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
    }
    INFO("counts " << counts[0] << " " << counts[1] << " " << counts[2]);
    for (int k = 0; k < 3; ++k) CHECK(std::abs(counts[k] - 3000) <= 224);
  }
  // The fifo strategy takes the first ready case, so pinned traces are stable.
  {
    std::vector<int> idx;
    auto out = run_with(
        [&] {
          gr::chan<int> a(1, "a"), b(1, "b");
          for (int i = 0; i < 10; ++i) {
            if (a.len() == 0) a.send(0);
            if (b.len() == 0) b.send(1);
            idx.push_back(gr::select(gr::recv(b), gr::recv(a)));
          }
        },
        "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(idx == std::vector<int>(10, 0));
  }
}

TEST_CASE("select: exactly one case fires and the others' channels are untouched", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    int calls[4] = {0, 0, 0, 0};
    int fired_recv = -1, fired_send = -1;
    std::pair<int, bool> value{-1, false};
    std::size_t len_a = 9, len_b = 9, len_c = 9, len_d = 9;
    auto out = run_with(
        [&] {
          gr::chan<int> a(1, "a"), b(1, "b");
          a.send(10);
          b.send(20);
          fired_recv = gr::select(gr::recv(a,
                                           [&](int v, bool ok) {
                                             ++calls[0];
                                             value = {v, ok};
                                           }),
                                  gr::recv(b,
                                           [&](int v, bool ok) {
                                             ++calls[1];
                                             value = {v, ok};
                                           }),
                                  gr::otherwise([&] { ++calls[2]; }));
          len_a = a.len();
          len_b = b.len();
          gr::chan<int> c(1, "c"), d(1, "d");
          fired_send = gr::select(gr::send(c, 1, [&] { ++calls[3]; }), gr::send(d, 2, [&] { ++calls[3]; }));
          len_c = c.len();
          len_d = d.len();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE((fired_recv == 0 || fired_recv == 1));
    CHECK(calls[fired_recv] == 1);
    CHECK(calls[1 - fired_recv] == 0);
    CHECK(calls[2] == 0);  // the default never fires when a case is ready
    CHECK(value == std::pair<int, bool>{fired_recv == 0 ? 10 : 20, true});
    CHECK(len_a == (fired_recv == 0 ? 0u : 1u));
    CHECK(len_b == (fired_recv == 1 ? 0u : 1u));
    REQUIRE((fired_send == 0 || fired_send == 1));
    CHECK(calls[3] == 1);
    CHECK(len_c + len_d == 1);
    CHECK(len_c == (fired_send == 0 ? 1u : 0u));
    if (strategy == "fifo") CHECK(fired_recv == 0);
  }
}

TEST_CASE("select: exactly one case fires when a parked select is woken", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    int calls[2] = {0, 0};
    int fired = -1, rest = -1;
    auto out = run_with(
        [&] {
          gr::chan<int> a(0, "a"), b(0, "b");
          gr::WaitGroup wg;
          wg.add(3);
          gr::go(
              [&] {
                fired = gr::select(gr::recv(a, [&](int, bool) { ++calls[0]; }),
                                   gr::recv(b, [&](int, bool) { ++calls[1]; }));
                // The value the select did not take is still there for us.
                rest = fired == 0 ? b.recv() : a.recv();
                wg.done();
              },
              "selector");
          // Two senders race for the select (parked or not yet).
          gr::go(
              [&] {
                a.send(1);
                wg.done();
              },
              "sa");
          gr::go(
              [&] {
                b.send(2);
                wg.done();
              },
              "sb");
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE((fired == 0 || fired == 1));
    CHECK(calls[fired] == 1);
    CHECK(calls[1 - fired] == 0);
    CHECK(rest == (fired == 0 ? 2 : 1));
  }
}

TEST_CASE("select: a select never pairs its send with its own receive", "[semantics]") {
  // Alone, a select that sends and receives on one unbuffered channel waits forever...
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    bool fired = false;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::select(gr::send(c, 1, [&] { fired = true; }), gr::recv(c, [&](int, bool) { fired = true; }));
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK_FALSE(fired);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].reason == gr::WaitReason::Select);
    CHECK(out.result.blocked[0].object == "c");
  }
  // ... or takes its default.
  {
    int idx = -1;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          idx = gr::select(gr::send(c, 1), gr::recv(c), gr::otherwise());
        },
        "random", 3);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(idx == 2);
  }
  // Go's TestSelfSelect: two goroutines each select send-or-receive on one
  // channel; on an unbuffered channel a goroutine never receives its own value.
  for (std::size_t capacity : {0u, 1u, 10u}) {
    for (const auto& [strategy, seed] : schedules(20)) {
      INFO("cap " << capacity << ", " << strategy << " seed " << seed);
      int self_pairs = 0, iterations = 0;
      auto out = run_with(
          [&] {
            gr::chan<int> c(capacity, "c");
            gr::WaitGroup wg;
            for (int p = 0; p < 2; ++p) {
              wg.add(1);
              gr::go(
                  [&, p] {
                    for (int i = 0; i < 100; ++i) {
                      gr::select(gr::send(c, p), gr::recv(c, [&](int v, bool) {
                                   if (capacity == 0 && v == p) ++self_pairs;
                                 }));
                      ++iterations;
                    }
                    wg.done();
                  },
                  p == 0 ? "p0" : "p1");
            }
            wg.wait();
          },
          strategy, seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
      CHECK(self_pairs == 0);
      CHECK(iterations == 200);
    }
  }
}

TEST_CASE("select: a woken select leaves every other wait queue", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(40)) {
    INFO(strategy << " seed " << seed);
    int first = -1;
    int later_default = -1;
    std::pair<int, bool> r_got{-1, false};
    int send_case_default = -1;
    auto out = run_with(
        [&] {
          gr::chan<int> a(0, "a"), b(0, "b");
          // G parks on a and b; then R parks on b behind G's waiter.
          gr::go([&] { first = gr::select(gr::recv(a), gr::recv(b)); }, "G");
          gr::sleep(1ms);
          gr::WaitGroup wg;
          wg.add(1);
          gr::go(
              [&] {
                r_got = b.recv_ok();
                wg.done();
              },
              "R");
          gr::sleep(1ms);
          a.send(1);  // G fires on a
          // G's waiter on b is gone: b's only receiver is R.
          b.send(2);
          wg.wait();
          // No receiver left on b: a send there cannot proceed.
          later_default = gr::select(gr::send(b, 3), gr::otherwise());

          // The same for a select parked on two sends.
          gr::chan<int> c(0, "c"), d(0, "d");
          gr::go([&] { gr::select(gr::send(c, 10), gr::send(d, 20)); }, "S");
          gr::sleep(1ms);
          (void)c.recv();
          send_case_default = gr::select(gr::recv(d), gr::otherwise());
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(first == 0);
    CHECK(r_got == std::pair<int, bool>{2, true});
    CHECK(later_default == 1);
    CHECK(send_case_default == 1);
    // The event log agrees: the send of 2 on b went straight to R (gid 3).
    bool found = false;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Send && e.gid == 1 && e.value == "2") {
        CHECK(e.peer == 3);
        found = true;
      }
    CHECK(found);
  }
}

TEST_CASE("select: a select listing one channel twice fires once and leaves the queue clean", "[semantics]") {
  // Go issue 8252 (TestSelectDuplicateChannel).
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    int fired = -1, calls = 0, later = -1;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::go([&] { fired = gr::select(gr::recv(c, [&] { ++calls; }), gr::recv(c, [&] { ++calls; })); }, "dup");
          gr::sleep(1ms);
          c.send(1);
          gr::sleep(1ms);
          later = gr::select(gr::send(c, 2), gr::otherwise());
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(calls == 1);
    CHECK(fired == 0);  // the first waiter queued is the first served
    CHECK(later == 1);
  }
}

TEST_CASE("select: the default fires only when no case is ready", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> idx;
    int got = -1;
    auto out = run_with(
        [&] {
          gr::chan<int> u(0, "u");
          // Nobody on the other side: default.
          idx.push_back(gr::select(gr::recv(u), gr::send(u, 1), gr::otherwise()));
          // A buffered channel with room: the send is ready.
          gr::chan<int> b(1, "b");
          idx.push_back(gr::select(gr::recv(u), gr::send(b, 5), gr::otherwise()));
          // Full now: default.
          idx.push_back(gr::select(gr::send(b, 6), gr::otherwise()));
          // A parked sender makes the receive ready.
          gr::go([&] { u.send(7); }, "sender");
          gr::sleep(1ms);
          idx.push_back(gr::select(gr::otherwise(), gr::recv(u, [&](int v) { got = v; })));
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(idx == std::vector<int>{2, 1, 1, 1});
    CHECK(got == 7);
  }
}

TEST_CASE("select: a receive case's handler gets the value and ok, ok=false from a closed channel", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::pair<int, bool>> got;
    std::pair<std::string, bool> woken{"?", true};
    auto out = run_with(
        [&] {
          gr::chan<int> c(2, "c");
          c.send(7);
          c.close();
          for (int i = 0; i < 3; ++i)
            gr::select(gr::recv(c, [&](int v, bool ok) { got.push_back({v, ok}); }), gr::otherwise([&] {
                         got.push_back({-1, true});
                       }));
          // A parked select woken by close.
          gr::chan<std::string> a(0, "a"), b(0, "b");
          gr::go(
              [&] {
                gr::select(gr::recv(a, [&](std::string v, bool ok) { woken = {v, ok}; }),
                           gr::recv(b, [&](std::string v, bool ok) { woken = {"b:" + v, ok}; }));
              },
              "waiter");
          gr::sleep(1ms);
          b.close();
          gr::sleep(1ms);
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(got == std::vector<std::pair<int, bool>>{{7, true}, {0, false}, {0, false}});
    CHECK(woken == std::pair<std::string, bool>{"b:", false});
  }
}

TEST_CASE("select: a send case on a closed channel panics, even beside a default", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool default_ran = false, handler_ran = false;
    auto out = run_with(
        [&] {
          gr::chan<int> c(1, "c");
          c.close();
          line = __LINE__ + 1;
          gr::select(gr::send(c, 1, [&] { handler_ran = true; }), gr::otherwise([&] { default_ran = true; }));
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "send on closed channel");
    CHECK(out.result.goroutine == 1);
    CHECK(out.result.site.line == line);
    CHECK_FALSE(default_ran);
    CHECK_FALSE(handler_ran);
  }
}

TEST_CASE("select: a select parked on a send panics when the channel is closed", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c"), other(0, "other");
          gr::go([&] { gr::select(gr::send(c, 1), gr::recv(other)); }, "sel");
          gr::sleep(1ms);
          c.close();
          gr::sleep(1s);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "send on closed channel");
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "sel");
  }
}

TEST_CASE("select: a timeout fires only when nothing else can proceed, at exactly its deadline", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    int idx = -1;
    bool timed_out = false;
    std::int64_t at = -1;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::go([&] { gr::chan<int>(0, "other").recv(); }, "bystander");  // blocked forever elsewhere
          idx = gr::select(gr::recv(c), gr::after_case(5s, [&] { timed_out = true; }));
          at = now_ns();
        },
        strategy, seed);
    // The bystander is still blocked when main returns.
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(idx == 1);
    CHECK(timed_out);
    CHECK(at == ns(5s));
    CHECK(out.result.vtime_ns == ns(5s));
    // The timer fired at 5s, then main's select chose case 1.
    auto fire = std::find_if(out.events.begin(), out.events.end(),
                             [](const auto& e) { return e.kind == gr::EventKind::TimerFire; });
    REQUIRE(fire != out.events.end());
    CHECK(fire->vtime_ns == ns(5s));
    auto sel = std::find_if(fire, out.events.end(),
                            [](const auto& e) { return e.kind == gr::EventKind::Select && e.gid == 1; });
    REQUIRE(sel != out.events.end());
    CHECK(sel->select_case == 1);
  }
}

TEST_CASE("select: a timeout never beats a sender that can still run", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    int sleeping_idx = -1, busy_idx = -1, slow_idx = -1;
    std::int64_t t1 = -1, t2 = -1, t3 = -1;
    int v1 = -1, v2 = -1;
    auto out = run_with(
        [&] {
          // The sender sleeps 4s, less than the 5s timeout: it wins.
          gr::chan<int> c(0, "c");
          gr::go(
              [&] {
                gr::sleep(4s);
                c.send(1);
              },
              "sleepy");
          sleeping_idx = gr::select(gr::recv(c, [&](int v) { v1 = v; }), gr::after_case(5s));
          t1 = now_ns();
          // The sender is runnable but busy for a long while; a 1ns timeout
          // still loses, because the clock cannot move while it runs.
          gr::chan<int> d(0, "d");
          gr::go(
              [&] {
                for (int i = 0; i < 200; ++i) gr::yield();
                d.send(2);
              },
              "busy");
          busy_idx = gr::select(gr::recv(d, [&](int v) { v2 = v; }), gr::after_case(1ns));
          t2 = now_ns();
          // A sender that sleeps longer than the timeout loses.
          gr::chan<int> e(1, "e");
          gr::go(
              [e] {  // by value: it sends after main has returned
                gr::sleep(6s);
                e.send(3);
              },
              "slow");
          slow_idx = gr::select(gr::recv(e), gr::after_case(5s));
          t3 = now_ns();
        },
        strategy, seed);
    // "slow" is asleep on a timer when main returns: the drain wakes it, its
    // send fills e's buffer, and it exits.
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(sleeping_idx == 0);
    CHECK(v1 == 1);
    CHECK(t1 == ns(4s));
    CHECK(busy_idx == 0);
    CHECK(v2 == 2);
    CHECK(t2 == ns(4s));
    CHECK(slow_idx == 1);
    CHECK(t3 == ns(9s));
    CHECK(out.result.vtime_ns == ns(10s));
  }
}
