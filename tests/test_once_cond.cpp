// test_once_cond.cpp: sync.Once and sync.Cond, one test case per Go rule,
// under fifo and many seeds of the random strategy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::named;
using gr::test::run_with;
using gr::test::schedules;

namespace {

std::vector<gr::test::Recorded> of_kind(const gr::test::RunOutput& out, gr::EventKind kind) {
  std::vector<gr::test::Recorded> v;
  for (const auto& e : out.events)
    if (e.kind == kind) v.push_back(e);
  return v;
}

const gr::test::Recorded& at_seq(const gr::test::RunOutput& out, std::uint64_t seq) {
  REQUIRE(seq >= 1);
  REQUIRE(seq <= out.events.size());
  const auto& e = out.events[seq - 1];
  REQUIRE(e.seq == seq);
  return e;
}

// Cleanup counts the goroutines whose stacks were unwound at teardown.
struct Cleanup {
  int* n;
  ~Cleanup() { ++*n; }
};

}  // namespace

// ---- Once ----

TEST_CASE("once: the function runs once, however many goroutines call", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(100)) {
    INFO(strategy << " seed " << seed);
    int runs = 0;
    bool finished = false;
    std::vector<bool> finished_when_returned;
    auto out = run_with(
        [&] {
          gr::Once once("init");
          gr::WaitGroup wg;
          for (int i = 0; i < 5; ++i) {
            wg.add(1);
            gr::go(
                [&] {
                  once.call([&] {
                    ++runs;
                    gr::yield();
                    gr::yield();
                    finished = true;
                  });
                  finished_when_returned.push_back(finished);
                  wg.done();
                },
                named("caller", i));
          }
          wg.wait();
          once.call([&] { ++runs; });  // done: does nothing
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(runs == 1);
    CHECK(finished_when_returned == std::vector<bool>(5, true));  // no caller returned early
    REQUIRE(of_kind(out, gr::EventKind::OnceBegin).size() == 1);
    REQUIRE(of_kind(out, gr::EventKind::OnceEnd).size() == 1);
    CHECK(of_kind(out, gr::EventKind::OnceEnd)[0].ok);
    CHECK(of_kind(out, gr::EventKind::OnceBegin)[0].gid == of_kind(out, gr::EventKind::OnceEnd)[0].gid);
  }
}

TEST_CASE("once: callers that arrive while it runs wait until it returns", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::int64_t> returned_at;
    auto out = run_with(
        [&] {
          gr::Once once("init");
          gr::WaitGroup wg;
          for (int i = 0; i < 3; ++i) {
            wg.add(1);
            gr::go(
                [&] {
                  once.call([] { gr::sleep(1s); });  // the others arrive meanwhile
                  returned_at.push_back(gr::test::now_ns());
                  wg.done();
                },
                named("caller", i));
          }
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(returned_at == std::vector<std::int64_t>(3, gr::test::ns(1s)));
    const auto ends = of_kind(out, gr::EventKind::OnceEnd);
    REQUIRE(ends.size() == 1);
    std::vector<gr::Gid> parked, woken;
    for (const auto& e : out.events) {
      if (e.kind == gr::EventKind::Park && e.reason == gr::WaitReason::Once) parked.push_back(e.gid);
      if (e.kind == gr::EventKind::Wake && e.cause == ends[0].seq) woken.push_back(e.gid);
    }
    CHECK(parked.size() == 2);
    CHECK(woken == parked);  // released in arrival order by the OnceEnd
  }
}

TEST_CASE("once: a function that panics counts as done; the panic reaches its caller", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    int runs = 0, caught = 0, returned_quietly = 0;
    std::string message;
    auto out = run_with(
        [&] {
          gr::Once once("init");
          gr::WaitGroup wg;
          for (int i = 0; i < 3; ++i) {
            wg.add(1);
            gr::go(
                [&] {
                  try {
                    once.call([&] {
                      ++runs;
                      gr::yield();
                      gr::panic("init failed");
                    });
                    ++returned_quietly;
                  } catch (const gr::Panic& p) {
                    ++caught;
                    message = p.message();
                  }
                  wg.done();
                },
                named("caller", i));
          }
          wg.wait();
          once.call([&] { ++runs; });
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(runs == 1);
    CHECK(caught == 1);
    CHECK(message == "init failed");
    CHECK(returned_quietly == 2);
    const auto ends = of_kind(out, gr::EventKind::OnceEnd);
    REQUIRE(ends.size() == 1);
    CHECK_FALSE(ends[0].ok);
  }
  // Uncaught, the panic ends the run like any other.
  auto out = run_with([] {
    gr::Once once;
    once.call([] { gr::panic("boom"); });
  }, "fifo");
  CHECK(out.result.outcome == gr::Outcome::Panic);
  CHECK(out.result.message == "boom");
}

TEST_CASE("once: calling a Once from inside its own function deadlocks", "[semantics]") {
  unsigned line = 0;
  auto out = run_with(
      [&] {
        gr::Once once("init");
        once.call([&] {
          line = __LINE__ + 1;
          once.call([] {});
        });
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Deadlock);
  REQUIRE(out.result.blocked.size() == 1);
  CHECK(out.result.blocked[0].reason == gr::WaitReason::Once);
  CHECK(out.result.blocked[0].object == "init");
  CHECK(out.result.blocked[0].site.line == line);
}

TEST_CASE("once: goroutines waiting on a Once when main returns are torn down", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    int cleaned = 0;
    auto out = run_with(
        [&] {
          gr::Once once("init");
          gr::chan<int> never(0, "never");
          gr::go([&] { Cleanup c{&cleaned}; once.call([&] { never.recv(); }); }, "runner");
          gr::go([&] { Cleanup c{&cleaned}; gr::sleep(1ms); once.call([] {}); }, "waiter");
          gr::sleep(1s);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(cleaned == 2);
    std::vector<gr::WaitReason> reasons;
    for (const auto& b : out.result.blocked) reasons.push_back(b.reason);
    std::sort(reasons.begin(), reasons.end());
    CHECK(reasons == std::vector<gr::WaitReason>{gr::WaitReason::ChanRecv, gr::WaitReason::Once});
    CHECK(of_kind(out, gr::EventKind::OnceEnd).empty());  // teardown does not finish it
  }
}

// ---- Cond ----

TEST_CASE("cond: signal wakes the goroutine that has waited longest", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(100)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> arrived, woke;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          gr::WaitGroup wg;
          for (int i = 0; i < 4; ++i) {
            wg.add(1);
            gr::go(
                [&, i] {
                  std::unique_lock<gr::Mutex> lk(mu);
                  arrived.push_back(i);
                  cond.wait();
                  woke.push_back(i);
                  lk.unlock();
                  wg.done();
                },
                named("waiter", i));
          }
          gr::sleep(1ms);  // all four wait on cond
          for (int i = 0; i < 4; ++i) {
            cond.signal();
            gr::sleep(1ms);  // the woken one re-locks and leaves
          }
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE(arrived.size() == 4);
    CHECK(woke == arrived);
    // Each CondSignal names the goroutine it woke, in arrival order (gid = index + 2),
    // and that goroutine's CondWait has the signal as its cause.
    const auto signals = of_kind(out, gr::EventKind::CondSignal);
    const auto waits = of_kind(out, gr::EventKind::CondWait);
    REQUIRE(signals.size() == 4);
    REQUIRE(waits.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) {
      CHECK(signals[k].peer == static_cast<gr::Gid>(arrived[k] + 2));
      CHECK(waits[k].gid == signals[k].peer);
      CHECK(waits[k].cause == signals[k].seq);
    }
  }
}

TEST_CASE("cond: broadcast wakes every waiter", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(100)) {
    INFO(strategy << " seed " << seed);
    int woke = 0;
    bool go_flag = false;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          gr::WaitGroup wg;
          for (int i = 0; i < 4; ++i) {
            wg.add(1);
            gr::go(
                [&] {
                  mu.lock();
                  while (!go_flag) cond.wait();
                  ++woke;
                  mu.unlock();
                  wg.done();
                },
                named("waiter", i));
          }
          gr::sleep(1ms);
          mu.lock();
          go_flag = true;
          cond.broadcast();
          mu.unlock();
          wg.wait();
          cond.broadcast();  // nobody left: wakes none
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(woke == 4);
    const auto casts = of_kind(out, gr::EventKind::CondBroadcast);
    REQUIRE(casts.size() == 2);
    CHECK(casts[0].gid == 1);
    CHECK(of_kind(out, gr::EventKind::CondWait).size() == 4);
    for (const auto& e : of_kind(out, gr::EventKind::CondWait)) CHECK(e.cause == casts[0].seq);
    std::size_t woken_by_broadcast = 0;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Wake && e.cause == casts[0].seq) ++woken_by_broadcast;
    CHECK(woken_by_broadcast == 4);
  }
}

TEST_CASE("cond: broadcast reports how many goroutines it woke", "[semantics]") {
  // The test observer does not keep Event::counter: a small one of our own does.
  struct Counters final : gr::Observer {
    std::vector<std::int64_t> broadcast;
    void on_event(const gr::Event& e) override {
      if (e.kind == gr::EventKind::CondBroadcast) broadcast.push_back(e.counter);
    }
  } counters;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.observers = {&counters};
  auto result = gr::run(
      [] {
        gr::Mutex mu("mu");
        gr::Cond cond(mu, "cond");
        gr::WaitGroup wg;
        for (int i = 0; i < 3; ++i) {
          wg.add(1);
          gr::go([&] {
            std::lock_guard<gr::Mutex> lk(mu);
            cond.wait();
            wg.done();
          });
        }
        gr::sleep(1ms);
        cond.broadcast();
        wg.wait();
        cond.broadcast();
      },
      o);
  REQUIRE(result.outcome == gr::Outcome::Ok);
  CHECK(counters.broadcast == std::vector<std::int64_t>{3, 0});
}

TEST_CASE("cond: a signal with nobody waiting is not remembered", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          cond.signal();  // nobody waits yet
          gr::WaitGroup wg("wg");
          wg.add(1);
          gr::go(
              [&] {
                mu.lock();
                cond.wait();  // the signal is gone: waits forever
                mu.unlock();
                wg.done();
              },
              "waiter");
          wg.wait();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Deadlock);
    const auto signals = of_kind(out, gr::EventKind::CondSignal);
    REQUIRE(signals.size() == 1);
    CHECK(signals[0].peer == 0);
    std::vector<std::string> blocked;
    for (const auto& b : out.result.blocked) blocked.push_back(b.name + ": " + std::string(gr::to_string(b.reason)) + " " + b.object);
    std::sort(blocked.begin(), blocked.end());
    CHECK(blocked == std::vector<std::string>{"main: sync.WaitGroup.Wait wg", "waiter: sync.Cond.Wait cond"});
  }
}

TEST_CASE("cond: wait joins the waiters before it unlocks, so a signal under the mutex is never lost", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(200)) {
    INFO(strategy << " seed " << seed);
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          bool waiting = false;
          gr::go(
              [&] {
                for (;;) {
                  std::lock_guard<gr::Mutex> lk(mu);
                  if (waiting) {
                    cond.signal();
                    return;
                  }
                  gr::yield();
                }
              },
              "signaller");
          mu.lock();
          waiting = true;
          cond.wait();
          mu.unlock();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    const auto signals = of_kind(out, gr::EventKind::CondSignal);
    REQUIRE(signals.size() == 1);
    CHECK(signals[0].peer == 1);
  }
}

TEST_CASE("cond: a signal sent without the mutex may come before, during or after the wait", "[semantics]") {
  // The waiter says it is about to wait, then waits; the signaller signals as
  // soon as it sees that, without the mutex. Three real schedules: the signal
  // before wait() joins the waiters (lost: deadlock), between joining and
  // parking (at the mutex unlock: wait() returns without parking), or after
  // it parked.
  int lost = 0, before_park = 0, after_park = 0;
  for (const auto& [strategy, seed] : schedules(200)) {
    INFO(strategy << " seed " << seed);
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          bool about_to_wait = false;
          gr::WaitGroup wg("wg");
          wg.add(1);
          gr::go(
              [&] {
                while (!about_to_wait) gr::yield();
                cond.signal();
                wg.done();
              },
              "signaller");
          mu.lock();
          about_to_wait = true;
          cond.wait();
          mu.unlock();
          wg.wait();
        },
        strategy, seed);
    const auto signals = of_kind(out, gr::EventKind::CondSignal);
    REQUIRE(signals.size() == 1);
    bool parked = false;
    for (const auto& e : out.events) parked |= e.kind == gr::EventKind::Park && e.reason == gr::WaitReason::Cond;
    if (out.result.outcome == gr::Outcome::Deadlock) {
      ++lost;
      CHECK(signals[0].peer == 0);
      CHECK(parked);
      continue;
    }
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(signals[0].peer == 1);
    const auto waits = of_kind(out, gr::EventKind::CondWait);
    REQUIRE(waits.size() == 1);
    CHECK(waits[0].cause == signals[0].seq);
    ++(parked ? after_park : before_park);
    if (!parked) {  // no Wake either: main was still runnable
      for (const auto& e : out.events) CHECK_FALSE((e.kind == gr::EventKind::Wake && e.cause == signals[0].seq));
    }
  }
  CHECK(lost > 0);
  CHECK(before_park > 0);
  CHECK(after_park > 0);
}

TEST_CASE("cond: wait returns with the mutex locked; critical sections never overlap", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(150)) {
    INFO(strategy << " seed " << seed);
    int inside = 0, max_inside = 0;
    bool unlocked_after_wait = false;
    std::vector<int> consumed;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond not_empty(mu, "not_empty"), not_full(mu, "not_full");
          std::deque<int> queue;
          const std::size_t cap = 2;
          gr::WaitGroup wg;
          wg.add(2);
          gr::go(
              [&] {
                for (int i = 0; i < 6; ++i) {
                  std::unique_lock<gr::Mutex> lk(mu);
                  while (queue.size() == cap) {
                    not_full.wait();
                    unlocked_after_wait |= !mu.locked();
                  }
                  max_inside = std::max(max_inside, ++inside);
                  queue.push_back(i);
                  gr::yield();
                  --inside;
                  not_empty.signal();
                }
                wg.done();
              },
              "producer");
          gr::go(
              [&] {
                for (int i = 0; i < 6; ++i) {
                  std::unique_lock<gr::Mutex> lk(mu);
                  while (queue.empty()) {
                    not_empty.wait();
                    unlocked_after_wait |= !mu.locked();
                  }
                  max_inside = std::max(max_inside, ++inside);
                  consumed.push_back(queue.front());
                  queue.pop_front();
                  gr::yield();
                  --inside;
                  not_full.signal();
                }
                wg.done();
              },
              "consumer");
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK_FALSE(unlocked_after_wait);
    CHECK(max_inside == 1);
    CHECK(consumed == std::vector<int>{0, 1, 2, 3, 4, 5});
    // Every CondWait follows the waiter's own Lock of the mutex (the re-lock).
    for (const auto& w : of_kind(out, gr::EventKind::CondWait)) {
      const auto& before = at_seq(out, w.seq - 1);
      CHECK(before.kind == gr::EventKind::Lock);
      CHECK(before.gid == w.gid);
    }
  }
}

TEST_CASE("cond: the condition may no longer hold when wait returns", "[semantics]") {
  // A consumer checks with `if`, not `while`; a second consumer that never
  // waits can take the item between the signal and the first one's re-lock.
  int stolen = 0, held = 0;
  for (std::uint64_t seed = 1; seed <= 300 && (stolen == 0 || held == 0); ++seed) {
    INFO("seed " << seed);
    int items_after_wait = -1;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          int items = 0;
          gr::WaitGroup wg("wg");
          wg.add(3);
          gr::go(
              [&] {
                mu.lock();
                if (items == 0) {
                  cond.wait();
                  items_after_wait = items;
                }
                if (items > 0) --items;
                mu.unlock();
                wg.done();
              },
              "waiter");
          gr::go(
              [&] {
                gr::yield();
                mu.lock();
                ++items;
                cond.signal();
                mu.unlock();
                wg.done();
              },
              "producer");
          gr::go(
              [&] {
                gr::yield();
                gr::yield();
                mu.lock();
                if (items > 0) --items;
                mu.unlock();
                wg.done();
              },
              "barger");
          wg.wait();
        },
        "random", seed);
    if (out.result.outcome != gr::Outcome::Ok || items_after_wait < 0) continue;
    if (items_after_wait == 1) {
      ++held;
      continue;
    }
    REQUIRE(items_after_wait == 0);
    ++stolen;
    // The barger (g4) locked the mutex after the signal and before the waiter's re-lock.
    const auto signal = of_kind(out, gr::EventKind::CondSignal).at(0);
    const auto wait = of_kind(out, gr::EventKind::CondWait).at(0);
    CHECK(signal.peer == 2);
    CHECK(wait.cause == signal.seq);
    bool barger_between = false;
    for (const auto& e : out.events)
      barger_between |= e.kind == gr::EventKind::Lock && e.gid == 4 && e.seq > signal.seq && e.seq < wait.seq;
    CHECK(barger_between);
  }
  CHECK(stolen > 0);
  CHECK(held > 0);
}

TEST_CASE("cond: wait without the mutex held is a fatal error", "[semantics]") {
  unsigned line = 0;
  bool recovered = false;
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        gr::Cond cond(mu, "cond");
        try {
          line = __LINE__ + 1;
          cond.wait();
        } catch (const gr::Panic&) {
          recovered = true;
        }
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Panic);
  CHECK(out.result.message == "fatal error: sync: unlock of unlocked mutex");
  CHECK(out.result.site.line == line);
  CHECK_FALSE(recovered);
}

TEST_CASE("cond: events of a small program, exactly", "[semantics]") {
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        gr::Cond cond(mu, "cond");
        bool ready = false;
        gr::go(
            [&] {
              mu.lock();
              ready = true;
              cond.signal();
              mu.unlock();
            },
            "signaller");
        mu.lock();
        while (!ready) cond.wait();
        mu.unlock();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(out.lines == std::vector<std::string>{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 spawn peer=g2 'signaller'",
                         "g1 make #1 'mu'",
                         "g1 lock #1",
                         "g1 make #2 'cond'",
                         "g1 unlock #1",  // wait() releases mu ...
                         "g1 park #2 [sync.Cond.Wait]",  // ... and parks
                         "g2 switch",
                         "g2 lock #1",
                         "g2 cond_signal #2 peer=g1",
                         "g1 wake peer=g2",
                         "g2 unlock #1",
                         "g2 exit",
                         "g1 switch",
                         "g1 lock #1",  // the re-lock
                         "g1 cond_wait #2",
                         "g1 unlock #1",
                         "g1 exit",
                     });
}

TEST_CASE("cond: goroutines in wait, or re-locking after it, when main returns are torn down", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    int cleaned = 0;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::Cond cond(mu, "cond");
          for (int i = 0; i < 3; ++i)
            gr::go(
                [&] {
                  Cleanup c{&cleaned};
                  std::lock_guard<gr::Mutex> lk(mu);
                  cond.wait();
                },
                named("waiter", i));
          gr::sleep(1ms);  // all three wait
          mu.lock();
          cond.signal();  // one is woken but cannot re-lock: main holds mu
          gr::sleep(1ms);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(cleaned == 3);
    std::vector<gr::WaitReason> reasons;
    for (const auto& b : out.result.blocked) reasons.push_back(b.reason);
    std::sort(reasons.begin(), reasons.end());
    CHECK(reasons == std::vector<gr::WaitReason>{gr::WaitReason::Mutex, gr::WaitReason::Cond, gr::WaitReason::Cond});
  }
}
