// test_channel.cpp: Go's channel rules, one test case per rule, checked under
// the fifo strategy and many seeds of the random strategy (a rule of the
// language holds for every schedule). Deadlock and leak reports live here too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::run_with;
using gr::test::schedules;
using gr::test::named;

namespace {

std::size_t count_kind(const std::vector<gr::test::Recorded>& ev, gr::EventKind k) {
  return static_cast<std::size_t>(std::count_if(ev.begin(), ev.end(), [&](const auto& e) { return e.kind == k; }));
}

}  // namespace

TEST_CASE("chan: a buffer delivers values in FIFO order", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(40)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> direct, piped;
    std::size_t len_full = 99, cap = 99, len_after = 99;
    auto out = run_with(
        [&] {
          gr::chan<int> c(4, "buf");
          for (int i = 1; i <= 4; ++i) c.send(i * 10);
          len_full = c.len();
          cap = c.cap();
          for (int i = 0; i < 4; ++i) direct.push_back(c.recv());
          len_after = c.len();
          // A producer and a consumer through a small buffer, any interleaving.
          gr::chan<int> d(3, "pipe");
          gr::go(
              [d] {
                for (int i = 0; i < 30; ++i) d.send(i);
                d.close();
              },
              "producer");
          for (int v : d) piped.push_back(v);
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(len_full == 4);
    CHECK(cap == 4);
    CHECK(len_after == 0);
    CHECK(direct == std::vector<int>{10, 20, 30, 40});
    std::vector<int> want(30);
    for (int i = 0; i < 30; ++i) want[i] = i;
    CHECK(piped == want);
  }
}

TEST_CASE("chan: blocked receivers are served in the order they blocked", "[semantics]") {
  for (std::size_t capacity : {0u, 2u}) {
    for (const auto& [strategy, seed] : schedules(30)) {
      INFO("cap " << capacity << ", " << strategy << " seed " << seed);
      std::map<int, int> got;  // receiver index -> value
      auto out = run_with(
          [&] {
            gr::chan<int> c(capacity, "c");
            gr::WaitGroup wg;
            for (int i = 0; i < 3; ++i) {
              wg.add(1);
              gr::go(
                  [&, i] {
                    got[i] = c.recv();
                    wg.done();
                  },
                  named("r", i));
              // The clock moves only when everyone is blocked: r_i has parked.
              gr::sleep(1ms);
            }
            c.send(100);
            c.send(200);
            c.send(300);
            wg.wait();
          },
          strategy, seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
      CHECK(got == std::map<int, int>{{0, 100}, {1, 200}, {2, 300}});
    }
  }
}

TEST_CASE("chan: blocked senders are served in the order they blocked", "[semantics]") {
  for (std::size_t capacity : {0u, 1u}) {
    for (const auto& [strategy, seed] : schedules(30)) {
      INFO("cap " << capacity << ", " << strategy << " seed " << seed);
      std::vector<int> got;
      int finished = 0;
      auto out = run_with(
          [&] {
            gr::chan<int> c(capacity, "c");
            gr::WaitGroup wg;
            if (capacity == 1) c.send(0);  // full: every sender below blocks
            for (int i = 1; i <= 3; ++i) {
              wg.add(1);
              gr::go(
                  [&, i] {
                    c.send(i * 100);
                    ++finished;
                    wg.done();
                  },
                  named("s", i));
              gr::sleep(1ms);  // s_i has parked
            }
            const int n = capacity == 1 ? 4 : 3;
            for (int k = 0; k < n; ++k) got.push_back(c.recv());
            wg.wait();
          },
          strategy, seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
      CHECK(finished == 3);
      if (capacity == 1)
        CHECK(got == std::vector<int>{0, 100, 200, 300});
      else
        CHECK(got == std::vector<int>{100, 200, 300});
    }
  }
}

TEST_CASE("chan: an unbuffered send waits for a receiver; a buffered one only for room", "[semantics]") {
  for (std::size_t capacity : {0u, 2u}) {
    for (const auto& [strategy, seed] : schedules(30)) {
      INFO("cap " << capacity << ", " << strategy << " seed " << seed);
      int sent = 0, sent_before_recv = -1;
      std::vector<int> got;
      auto out = run_with(
          [&] {
            gr::chan<int> c(capacity, "c");
            gr::go(
                [&] {
                  for (int i = 1; i <= 3; ++i) {
                    c.send(i);
                    ++sent;
                  }
                },
                "sender");
            gr::sleep(1s);  // the sender has gone as far as it can
            sent_before_recv = sent;
            for (int i = 0; i < 3; ++i) got.push_back(c.recv());
            gr::sleep(1s);
          },
          strategy, seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
      CHECK(sent_before_recv == static_cast<int>(capacity));
      CHECK(sent == 3);
      CHECK(got == std::vector<int>{1, 2, 3});
    }
  }
}

TEST_CASE("chan: receive from a closed channel drains the buffer, then gives zero and ok=false, repeatedly",
          "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::pair<int, bool>> got;
    std::vector<std::pair<std::string, bool>> strs;
    std::pair<int, bool> unbuffered{-1, true};
    int plain = -1;
    std::size_t len_after_close = 99;
    auto out = run_with(
        [&] {
          gr::chan<int> c(3, "c");
          c.send(1);
          c.send(2);
          c.close();
          len_after_close = c.len();
          for (int i = 0; i < 5; ++i) got.push_back(c.recv_ok());
          plain = c.recv();

          gr::chan<std::string> s(2, "s");
          s.send("a");
          s.close();
          strs.push_back(s.recv_ok());
          strs.push_back(s.recv_ok());
          strs.push_back(s.recv_ok());

          gr::chan<int> u(0, "u");
          u.close();
          unbuffered = u.recv_ok();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(len_after_close == 2);
    CHECK(got == std::vector<std::pair<int, bool>>{{1, true}, {2, true}, {0, false}, {0, false}, {0, false}});
    CHECK(plain == 0);
    CHECK(strs == std::vector<std::pair<std::string, bool>>{{"a", true}, {"", false}, {"", false}});
    CHECK(unbuffered == std::pair<int, bool>{0, false});
  }
}

TEST_CASE("chan: range-for receives until the channel is closed and drained", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> live, drained;
    bool after_loop = false;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::go(
              [c] {
                for (int i = 1; i <= 5; ++i) c.send(i);
                c.close();
              },
              "producer");
          for (int v : c) live.push_back(v);
          after_loop = true;

          // Already closed with values left: the loop drains them, then stops.
          gr::chan<int> b(4, "b");
          b.send(7);
          b.send(8);
          b.close();
          for (int v : b) drained.push_back(v);
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(live == std::vector<int>{1, 2, 3, 4, 5});
    CHECK(after_loop);
    CHECK(drained == std::vector<int>{7, 8});
  }
}

TEST_CASE("chan: close wakes every blocked receiver with the zero value and ok=false", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    std::map<int, std::pair<int, bool>> got;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::WaitGroup wg;
          for (int i = 0; i < 4; ++i) {
            wg.add(1);
            gr::go(
                [&, i] {
                  got[i] = c.recv_ok();
                  wg.done();
                },
                named("r", i));
          }
          gr::sleep(1ms);  // all four have parked
          c.close();
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE(got.size() == 4);
    for (const auto& [i, r] : got) CHECK(r == std::pair<int, bool>{0, false});
    // The close event caused exactly four wake-ups, one per receiver.
    auto close_it = std::find_if(out.events.begin(), out.events.end(),
                                 [](const auto& e) { return e.kind == gr::EventKind::Close; });
    REQUIRE(close_it != out.events.end());
    std::vector<gr::Gid> woken;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Wake && e.cause == close_it->seq) woken.push_back(e.gid);
    if (strategy == "fifo") {
      // In the order they parked: goroutines 2..5.
      CHECK(woken == std::vector<gr::Gid>{2, 3, 4, 5});
    } else {
      std::sort(woken.begin(), woken.end());
      CHECK(woken == std::vector<gr::Gid>{2, 3, 4, 5});
    }
    std::size_t closed_recvs = 0;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Recv && !e.ok && e.cause == close_it->seq) ++closed_recvs;
    CHECK(closed_recvs == 4);
  }
}

TEST_CASE("chan: close makes a blocked sender panic with \"send on closed channel\"", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    unsigned send_line = 0;
    bool after_send = false;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::go(
              [&] {
                send_line = __LINE__ + 1;
                c.send(7);
                after_send = true;
              },
              "sender");
          gr::sleep(1ms);  // the sender has parked
          c.close();
          gr::sleep(1h);   // the sender runs (and panics) before the clock moves
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "send on closed channel");
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "sender");
    CHECK(out.result.site.line == send_line);
    CHECK(out.result.vtime_ns == std::chrono::nanoseconds(1ms).count());
    CHECK_FALSE(after_send);
  }
}

TEST_CASE("chan: close makes every blocked sender panic; buffered values survive", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::string> caught;
    std::vector<std::pair<int, bool>> received;
    auto out = run_with(
        [&] {
          gr::chan<int> c(1, "c");
          c.send(42);  // full
          gr::WaitGroup wg;
          for (int i = 0; i < 3; ++i) {
            wg.add(1);
            gr::go(
                [&, i] {
                  try {
                    c.send(i);
                  } catch (const gr::Panic& p) {  // recovered
                    caught.push_back(p.message());
                  }
                  wg.done();
                },
                named("s", i));
          }
          gr::sleep(1ms);
          c.close();
          wg.wait();
          received.push_back(c.recv_ok());
          received.push_back(c.recv_ok());
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(caught == std::vector<std::string>(3, "send on closed channel"));
    CHECK(received == std::vector<std::pair<int, bool>>{{42, true}, {0, false}});
  }
}

TEST_CASE("chan: send on a closed channel panics", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool after = false;
    auto out = run_with(
        [&] {
          gr::chan<int> c(4, "c");  // room in the buffer does not matter
          c.close();
          line = __LINE__ + 1;
          c.send(1);
          after = true;
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "send on closed channel");
    CHECK(out.result.goroutine == 1);
    CHECK(out.result.goroutine_name == "main");
    CHECK(out.result.site.line == line);
    CHECK_FALSE(after);
    // The run's last event is the panic, in main.
    REQUIRE(!out.events.empty());
    CHECK(out.events.back().kind == gr::EventKind::Panic);
    CHECK(out.events.back().gid == 1);
    CHECK(out.events.back().text == "send on closed channel");
  }
}

TEST_CASE("chan: a send-on-closed panic can be recovered and the run goes on", "[semantics]") {
  std::string msg;
  std::pair<int, bool> after{-1, true};
  auto out = run_with(
      [&] {
        gr::chan<int> c(1, "c");
        c.close();
        try {
          c.send(1);
        } catch (const gr::Panic& p) {
          msg = p.message();
        }
        after = c.recv_ok();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(msg == "send on closed channel");
  CHECK(after == std::pair<int, bool>{0, false});  // the failed send buffered nothing
}

TEST_CASE("recover: a caught panic is a Recover event, once, even when caught by value", "[semantics]") {
  auto out = run_with(
      [&] {
        try {
          gr::panic("first");
        } catch (const gr::Panic& p) {
          const gr::Panic copy = p;  // copies share the panic: still one recover
          (void)copy;
        }
        gr::go([] {
          try {
            gr::panic("second");
          } catch (const gr::Panic&) {
          }
        }, "g");
        gr::yield();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  std::vector<std::pair<gr::Gid, std::string>> recovers;
  for (const auto& e : out.events)
    if (e.kind == gr::EventKind::Recover) recovers.emplace_back(e.gid, e.text);
  CHECK(recovers == std::vector<std::pair<gr::Gid, std::string>>{{1, "first"}, {2, "second"}});
}

TEST_CASE("recover: a panic that escapes its goroutine is no Recover", "[semantics]") {
  auto out = run_with([] { gr::go([] { gr::panic("boom"); }, "g"); gr::yield(); }, "fifo");
  CHECK(out.result.outcome == gr::Outcome::Panic);
  for (const auto& e : out.events) CHECK(e.kind != gr::EventKind::Recover);
}

TEST_CASE("chan: close of a closed channel panics", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          c.close();
          line = __LINE__ + 1;
          c.close();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "close of closed channel");
    CHECK(out.result.goroutine == 1);
    CHECK(out.result.site.line == line);
    CHECK(count_kind(out.events, gr::EventKind::Close) == 1);
  }
}

TEST_CASE("chan: close of a nil channel panics", "[semantics]") {
  unsigned line = 0;
  auto out = run_with(
      [&] {
        auto c = gr::chan<int>::nil();
        gr::go([c] { c.close(); }, "closer");
        line = __LINE__ - 1;
        gr::sleep(1s);
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Panic);
  CHECK(out.result.message == "close of nil channel");
  CHECK(out.result.goroutine == 2);
  CHECK(out.result.goroutine_name == "closer");
  CHECK(out.result.site.line == line);
}

TEST_CASE("chan: send on a nil channel blocks forever", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool after = false;
    auto out = run_with(
        [&] {
          auto c = gr::chan<int>::nil();
          line = __LINE__ + 1;
          c.send(1);
          after = true;
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK(out.result.message == "all goroutines are asleep - deadlock!");
    CHECK_FALSE(after);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].id == 1);
    CHECK(out.result.blocked[0].name == "main");
    CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanSendNil);
    CHECK(out.result.blocked[0].site.line == line);
  }
}

TEST_CASE("chan: receive from a nil channel blocks forever", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    bool after = false;
    std::size_t len = 99, cap = 99;
    bool is_nil = false;
    auto out = run_with(
        [&] {
          auto c = gr::chan<int>::nil();
          len = c.len();
          cap = c.cap();
          is_nil = c.is_nil();
          (void)c.recv_ok();
          after = true;
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK_FALSE(after);
    CHECK(len == 0);
    CHECK(cap == 0);
    CHECK(is_nil);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanRecvNil);
  }
}

TEST_CASE("chan: a goroutine blocked on a nil channel when main returns is a leak", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    auto out = run_with(
        [&] {
          auto c = gr::chan<int>::nil();
          gr::go([c] { c.send(1); }, "nil_sender");
          gr::sleep(1s);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Leak);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].id == 2);
    CHECK(out.result.blocked[0].name == "nil_sender");
    CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanSendNil);
  }
}

TEST_CASE("chan: copies of a handle name the same channel", "[semantics]") {
  bool same = false, nil_same = false, differ = false;
  int got = 0;
  std::uint32_t id1 = 0, id2 = 1;
  auto out = run_with(
      [&] {
        gr::chan<int> c(1, "c");
        gr::chan<int> copy = c;
        gr::chan<int> other(1, "other");
        copy.send(5);
        got = c.recv();
        same = copy == c;
        differ = !(other == c);
        nil_same = gr::chan<int>::nil() == gr::chan<int>::nil();
        id1 = c.id();
        id2 = copy.id();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(got == 5);
  CHECK(same);
  CHECK(differ);
  CHECK(nil_same);
  CHECK(id1 == id2);
  CHECK(id1 != 0);
}

TEST_CASE("chan: values are moved, so move-only types travel", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> got;
    auto out = run_with(
        [&] {
          gr::chan<std::unique_ptr<int>> c(0, "ptrs");
          gr::chan<std::unique_ptr<int>> b(2, "bptrs");
          gr::go(
              [&] {
                c.send(std::make_unique<int>(1));
                b.send(std::make_unique<int>(2));
                b.close();
              },
              "producer");
          got.push_back(*c.recv());
          for (auto& p : b) got.push_back(*p);
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(got == std::vector<int>{1, 2});
  }
}

TEST_CASE("chan: many producers and consumers deliver every value exactly once", "[semantics]") {
  for (std::size_t capacity : {0u, 3u}) {
    for (const auto& [strategy, seed] : schedules(30)) {
      INFO("cap " << capacity << ", " << strategy << " seed " << seed);
      std::vector<int> got;
      auto out = run_with(
          [&] {
            gr::chan<int> c(capacity, "work");
            gr::WaitGroup producers, consumers;
            for (int p = 0; p < 3; ++p) {
              producers.add(1);
              gr::go(
                  [&, p] {
                    for (int i = 0; i < 10; ++i) c.send(p * 100 + i);
                    producers.done();
                  },
                  named("p", p));
            }
            for (int k = 0; k < 3; ++k) {
              consumers.add(1);
              gr::go(
                  [&] {
                    for (int v : c) got.push_back(v);
                    consumers.done();
                  },
                  named("c", k));
            }
            producers.wait();
            c.close();
            consumers.wait();
          },
          strategy, seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
      std::sort(got.begin(), got.end());
      std::vector<int> want;
      for (int p = 0; p < 3; ++p)
        for (int i = 0; i < 10; ++i) want.push_back(p * 100 + i);
      CHECK(got == want);
    }
  }
}

TEST_CASE("deadlock: every goroutine blocked is a deadlock listing each with its reason and object",
          "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    unsigned recv_line = 0, send_line = 0, wait_line = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> a(0, "a");
          gr::chan<int> b(0, "b");
          gr::WaitGroup wg("wg");
          wg.add(1);
          gr::go(
              [&] {
                recv_line = __LINE__ + 1;
                a.recv();
              },
              "left");
          gr::go(
              [&] {
                send_line = __LINE__ + 1;
                b.send(1);
              },
              "right");
          wait_line = __LINE__ + 1;
          wg.wait();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK(out.result.message == "all goroutines are asleep - deadlock!");
    CHECK(out.result.goroutine == 0);
    REQUIRE(out.result.blocked.size() == 3);
    std::map<gr::Gid, gr::BlockedGoroutine> by_id;
    for (const auto& b : out.result.blocked) by_id[b.id] = b;
    REQUIRE(by_id.size() == 3);
    CHECK(by_id[1].name == "main");
    CHECK(by_id[1].reason == gr::WaitReason::WaitGroup);
    CHECK(by_id[1].object == "wg");
    CHECK(by_id[1].site.line == wait_line);
    CHECK(by_id[2].name == "left");
    CHECK(by_id[2].reason == gr::WaitReason::ChanRecv);
    CHECK(by_id[2].object == "a");
    CHECK(by_id[2].site.line == recv_line);
    CHECK(by_id[3].name == "right");
    CHECK(by_id[3].reason == gr::WaitReason::ChanSend);
    CHECK(by_id[3].object == "b");
    CHECK(by_id[3].site.line == send_line);
    // Reported in goroutine order, so reports are the same for every schedule.
    CHECK(out.result.blocked[0].id == 1);
    CHECK(out.result.blocked[1].id == 2);
    CHECK(out.result.blocked[2].id == 3);
  }
}

TEST_CASE("deadlock: waits for pending timers first; only then is it a deadlock", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    bool woke = false;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "never");
          gr::go(
              [&] {
                gr::sleep(3s);
                woke = true;
              },
              "sleeper");
          c.recv();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    CHECK(woke);
    CHECK(out.result.vtime_ns == std::chrono::nanoseconds(3s).count());
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].id == 1);
    CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanRecv);
    CHECK(out.result.blocked[0].object == "never");
  }
}

TEST_CASE("leak: main returning while a goroutine is blocked forever on a channel is a leak", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "results");
          gr::chan<int> ready(1, "ready");
          gr::go(
              [&] {
                line = __LINE__ + 1;
                c.send(1);  // nobody ever receives
              },
              "stuck");
          gr::go([&] { ready.send(1); }, "finisher");
          ready.recv();
          gr::sleep(1ms);  // "stuck" has certainly parked
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(out.result.message.find("blocked forever") != std::string::npos);
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].id == 2);
    CHECK(out.result.blocked[0].name == "stuck");
    CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanSend);
    CHECK(out.result.blocked[0].object == "results");
    CHECK(out.result.blocked[0].site.line == line);
  }
}

TEST_CASE("leak: a goroutine still runnable when main returns and then blocked forever is a leak (the drain)",
          "[semantics]") {
  // Before the drain, main's return ended the run at once: the worker,
  // runnable but not yet run, went unreported on most schedules.
  for (const auto& [strategy, seed] : schedules(100)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> result(0, "result");
          gr::go(
              [&line, result] {
                line = __LINE__ + 1;
                result.send(1);  // main never receives
              },
              "worker");
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(out.result.message == "main returned while 1 goroutine is blocked forever");
    REQUIRE(out.result.blocked.size() == 1);
    CHECK(out.result.blocked[0].name == "worker");
    CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanSend);
    CHECK(out.result.blocked[0].site.line == line);
  }
}

TEST_CASE("leak: goroutines that exit during the drain, timers and all, are no leak", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    int finished = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> c(1, "c");
          gr::go(
              [&finished, c] {
                gr::sleep(1h);  // its timer fires after main returned
                c.send(1);      // buffered: never blocks
                ++finished;
              },
              "late");
          gr::go([&finished] { ++finished; }, "quick");
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(out.result.blocked.empty());
    CHECK(finished == 2);
  }
}

TEST_CASE("leak: a goroutine still running when the drain's budget is spent is reported as still running",
          "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    gr::test::EventLog log;
    gr::RunOptions o;
    o.seed = seed;
    o.strategy = gr::make_strategy(strategy);
    o.observers = {&log};
    o.drain_steps = 500;
    const gr::RunResult r = gr::run(
        [&] {
          gr::chan<int> stuck(0, "stuck");
          gr::go([stuck] { stuck.recv(); }, "receiver");
          gr::go(
              [] {
                for (;;) gr::yield();  // never blocks
              },
              "spinner");
          gr::yield();
        },
        o);
    CHECK(r.outcome == gr::Outcome::Leak);
    CHECK(r.message == "main returned while 1 goroutine is blocked forever and 1 is still running after 500 steps");
    REQUIRE(r.blocked.size() == 2);
    CHECK(r.blocked[0].name == "receiver");
    CHECK(r.blocked[0].reason == gr::WaitReason::ChanRecv);
    CHECK(r.blocked[1].name == "spinner");
    CHECK(r.blocked[1].reason == gr::WaitReason::None);
    // The drain's budget runs from main's Exit.
    const auto main_exit = std::find_if(log.events.begin(), log.events.end(), [](const auto& e) {
      return e.gid == 1 && e.kind == gr::EventKind::Exit;
    });
    REQUIRE(main_exit != log.events.end());
    CHECK(r.events == main_exit->seq + 500);
  }
}

TEST_CASE("deadlock: a lock held across a send to the lock's waiter is a cycle through a channel and a lock",
          "[semantics]") {
  // lock_while_send: main holds stats while it sends on results; the
  // consumer, which received from results before, waits for stats.
  const gr::Scenario* sc = gr::find_scenario("lock_while_send");
  REQUIRE(sc != nullptr);
  int deadlocks = 0;
  for (const auto& [strategy, seed] : schedules(40)) {
    INFO(strategy << " seed " << seed);
    const auto out = run_with(sc->body, strategy, seed);
    if (out.result.outcome == gr::Outcome::Ok) continue;
    REQUIRE(out.result.outcome == gr::Outcome::Deadlock);
    ++deadlocks;
    const gr::WaitForGraph& g = out.result.wait_for;
    REQUIRE(g.blocked.size() == 2);
    const gr::WaitForNode& main_node = g.blocked[0];
    const gr::WaitForNode& consumer = g.blocked[1];
    CHECK(main_node.reason == gr::WaitReason::ChanSend);
    REQUIRE(main_node.waits_on.size() == 1);
    CHECK(main_node.waits_on[0].name == "results");
    CHECK(main_node.waits_on[0].wakers == std::vector<gr::Waker>{{2, "consumer", gr::WakeRole::Former}});
    CHECK(consumer.reason == gr::WaitReason::Mutex);
    REQUIRE(consumer.waits_on.size() == 1);
    CHECK(consumer.waits_on[0].name == "stats");
    CHECK(consumer.waits_on[0].wakers == std::vector<gr::Waker>{{1, "main", gr::WakeRole::Holder}});
  }
  CHECK(deadlocks > 20);
}

TEST_CASE("deadlock: a channel's former peer is named only while it lives, and only from the other side",
          "[semantics]") {
  auto out = run_with(
      [] {
        gr::chan<int> c(0, "c");
        gr::chan<int> quit(0, "quit");
        gr::go([c] { c.recv(); }, "gone");  // receives once, exits
        gr::go([c, quit] {
          c.send(7);  // a sender of c, then blocked on quit
          quit.recv();
        }, "sender");
        c.send(1);
        c.recv();
        c.send(2);  // nobody will receive: gone exited, sender only sent
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Deadlock);
  const gr::WaitForNode& main_node = out.result.wait_for.blocked[0];
  REQUIRE(main_node.gid == 1);
  REQUIRE(main_node.waits_on.size() == 1);
  CHECK(main_node.waits_on[0].wakers.empty());
}
