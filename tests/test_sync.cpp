// test_sync.cpp: sync.WaitGroup, sync.Mutex, panics, recovered panics,
// C++ exceptions and gr::check, one test case per rule, under fifo and many
// seeds of the random strategy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::run_with;
using gr::test::schedules;
using gr::test::named;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

// ---- WaitGroup ----

TEST_CASE("waitgroup: wait returns once the counter reaches zero", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    int finished = 0;
    int finished_at_wait = -1;
    std::int64_t counter_after = -1;
    auto out = run_with(
        [&] {
          gr::WaitGroup wg("wg");
          for (int i = 0; i < 5; ++i) {
            wg.add(1);
            gr::go(
                [&, i] {
                  for (int k = 0; k < i; ++k) gr::yield();
                  if (i % 2) gr::sleep(std::chrono::milliseconds(i));
                  ++finished;
                  wg.done();
                },
                named("w", i));
          }
          wg.wait();
          finished_at_wait = finished;
          counter_after = wg.counter();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(finished_at_wait == 5);
    CHECK(counter_after == 0);
  }
}

TEST_CASE("waitgroup: every waiter is released when the counter reaches zero", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> released;
    bool done_called = false;
    std::vector<bool> saw_done;
    auto out = run_with(
        [&] {
          gr::WaitGroup gate("gate"), all("all");
          gate.add(1);
          for (int i = 0; i < 3; ++i) {
            all.add(1);
            gr::go(
                [&, i] {
                  gate.wait();
                  saw_done.push_back(done_called);
                  released.push_back(i);
                  all.done();
                },
                named("waiter", i));
          }
          gr::sleep(1ms);  // all three are waiting
          done_called = true;
          gate.done();
          all.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    std::sort(released.begin(), released.end());
    CHECK(released == std::vector<int>{0, 1, 2});
    CHECK(saw_done == std::vector<bool>(3, true));  // nobody got through early
    // The single done() woke all three (cause = that WgAdd event).
    auto add = std::find_if(out.events.begin(), out.events.end(), [](const auto& e) {
      return e.kind == gr::EventKind::WgAdd && e.amount == -1 && e.gid == 1;
    });
    REQUIRE(add != out.events.end());
    std::size_t woken = 0;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Wake && e.cause == add->seq) ++woken;
    CHECK(woken == 3);
  }
}

TEST_CASE("waitgroup: wait with a zero counter returns at once", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    bool after = false;
    auto out = run_with(
        [&] {
          gr::WaitGroup fresh("fresh");
          fresh.wait();
          gr::WaitGroup used("used");
          used.add(2);
          used.done();
          used.done();
          used.wait();
          after = true;
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(after);
    for (const auto& e : out.events) CHECK(e.kind != gr::EventKind::Park);
    CHECK(std::count_if(out.events.begin(), out.events.end(),
                        [](const auto& e) { return e.kind == gr::EventKind::WgWait; }) == 2);
  }
}

TEST_CASE("waitgroup: a negative counter panics", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool after = false;
    auto out = run_with(
        [&] {
          gr::WaitGroup wg("wg");
          gr::go(
              [&] {
                wg.add(1);
                wg.done();
                line = __LINE__ + 1;
                wg.done();
                after = true;
              },
              "worker");
          gr::sleep(1s);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "sync: negative WaitGroup counter");
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "worker");
    CHECK(out.result.site.line == line);
    CHECK_FALSE(after);
  }
  // add(-1) on a fresh WaitGroup too; and like any panic it can be recovered.
  std::string msg;
  auto out = run_with(
      [&] {
        gr::WaitGroup wg;
        try {
          wg.add(-1);
        } catch (const gr::Panic& p) {
          msg = p.message();
        }
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(msg == "sync: negative WaitGroup counter");
}

// The classic misuse: the goroutine calls add() itself, so wait() may run
// before it, after it, or between its add() and its done(). Every interleaving
// is a Go schedule; dfs must reach all three and no other.
TEST_CASE("waitgroup: add and done are scheduling points, so add can race with wait", "[semantics]") {
  // At wait's return: how far the worker had got (0 nothing, 1 added, 2 done)
  // and whether main had parked in wait.
  std::set<std::pair<int, bool>> seen;
  const auto program = [](std::pair<int, bool>* at_return) {
    return [at_return] {
      auto wg = std::make_shared<gr::WaitGroup>("wg");
      auto stage = std::make_shared<int>(0);
      gr::go(
          [wg, stage] {
            wg->add(1);
            *stage = 1;
            wg->done();
            *stage = 2;
          },
          "worker");
      wg->wait();
      at_return->first = *stage;
    };
  };
  const auto parked_in_wait = [](const std::vector<gr::test::Recorded>& events) {
    return std::any_of(events.begin(), events.end(), [](const auto& e) {
      return e.kind == gr::EventKind::Park && e.gid == 1 && e.reason == gr::WaitReason::WaitGroup;
    });
  };
  gr::DfsStrategy dfs;
  auto strategy = std::shared_ptr<gr::Strategy>(&dfs, [](gr::Strategy*) {});
  do {
    std::pair<int, bool> at_return{-1, false};
    gr::test::EventLog log;
    gr::RunOptions o;
    o.strategy = strategy;
    o.observers = {&log};
    const gr::RunResult r = gr::run(program(&at_return), o);
    REQUIRE(r.outcome == gr::Outcome::Ok);
    at_return.second = parked_in_wait(log.events);
    seen.insert(at_return);
  } while (dfs.advance());
  CHECK(dfs.exhausted());
  // Wait before the add returns at once (the bug); after add and before done
  // it parks until done; after both it returns at once. It never returns
  // while the worker's add is outstanding.
  CHECK(seen == std::set<std::pair<int, bool>>{{0, false}, {2, true}, {2, false}});
  // fifo, like Go's run queue, keeps main going: the bug shows.
  std::pair<int, bool> fifo_return{-1, false};
  auto fifo = run_with(program(&fifo_return), "fifo");
  REQUIRE(fifo.result.outcome == gr::Outcome::Ok);
  CHECK(fifo_return.first == 0);
  CHECK_FALSE(parked_in_wait(fifo.events));
}

// Go's Wait re-checks the state when woken: an add() between the done() that
// released the waiter and the waiter's return means the WaitGroup was reused
// too early, and the waiter panics at its wait.
TEST_CASE("waitgroup: reuse before the previous wait returned panics the waiter", "[semantics]") {
  const char* const reuse = "sync: WaitGroup is reused before previous Wait has returned";
  unsigned wait_line = 0;
  const auto program = [&wait_line] {
    auto wg = std::make_shared<gr::WaitGroup>("wg");
    wg->add(1);
    gr::go(
        [wg] {
          wg->done();
          wg->add(1);
          wg->done();
        },
        "worker");
    wait_line = __LINE__ + 1;
    wg->wait();
  };
  // Per run: did main panic, did it park, and the worker's counter values
  // (after each add) that came before main's panic or return.
  using Seen = std::tuple<bool, bool, std::vector<std::int64_t>>;
  std::set<Seen> seen;
  gr::DfsStrategy dfs;
  auto strategy = std::shared_ptr<gr::Strategy>(&dfs, [](gr::Strategy*) {});
  do {
    gr::test::EventLog log;
    gr::RunOptions o;
    o.strategy = strategy;
    o.observers = {&log};
    const gr::RunResult r = gr::run(program, o);
    const bool panicked = r.outcome == gr::Outcome::Panic;
    if (panicked) {
      CHECK(r.message == reuse);
      CHECK(r.goroutine == 1);
      CHECK(r.site.line == wait_line);
    } else {
      REQUIRE(r.outcome == gr::Outcome::Ok);
    }
    bool parked = false;
    std::vector<std::int64_t> before;
    for (const auto& e : log.events) {
      if (e.gid == 1 && e.kind == gr::EventKind::WgWait) break;
      if (e.gid == 1 && e.kind == gr::EventKind::Park) parked = true;
      if (e.gid == 2 && e.kind == gr::EventKind::WgAdd) before.push_back(e.counter);
    }
    const bool returned = std::any_of(log.events.begin(), log.events.end(), [](const auto& e) {
      return e.gid == 1 && e.kind == gr::EventKind::WgWait;
    });
    CHECK(returned != panicked);
    seen.insert({panicked, parked, before});
  } while (dfs.advance());
  CHECK(seen == std::set<Seen>{
                    // main resumed between the worker's add(1) and its last done()
                    {true, true, {0, 1}},
                    // main parked in the first round and resumed before the add(1)
                    {false, true, {0}},
                    // main resumed after the last done(), or parked only in the second round
                    {false, true, {0, 1, 0}},
                    // main's wait found the counter at 0 after the first or the last done()
                    {false, false, {0}},
                    {false, false, {0, 1, 0}},
                });
}

// ---- Mutex ----

TEST_CASE("mutex: critical sections never overlap, under every schedule", "[semantics]") {
  // The same program without the lock overlaps on some seed: the check below
  // is sensitive, not vacuous.
  bool unlocked_overlap_found = false;
  for (const auto& [strategy, seed] : schedules(200)) {
    INFO(strategy << " seed " << seed);
    for (bool use_lock : {true, false}) {
      if (!use_lock && (unlocked_overlap_found || strategy == "fifo")) continue;
      int inside = 0, max_inside = 0, counter = 0;
      auto out = run_with(
          [&] {
            gr::Mutex mu("mu");
            gr::WaitGroup wg;
            for (int w = 0; w < 4; ++w) {
              wg.add(1);
              gr::go(
                  [&] {
                    for (int k = 0; k < 5; ++k) {
                      if (use_lock) mu.lock();
                      ++inside;
                      max_inside = std::max(max_inside, inside);
                      const int read = counter;
                      gr::yield();
                      counter = read + 1;
                      gr::yield();
                      --inside;
                      if (use_lock) mu.unlock();
                    }
                    wg.done();
                  },
                  named("w", w));
            }
            wg.wait();
          },
          strategy, seed);
      REQUIRE(out.result.outcome == gr::Outcome::Ok);
      if (use_lock) {
        CHECK(max_inside == 1);
        CHECK(counter == 20);
      } else if (max_inside > 1) {
        unlocked_overlap_found = true;
      }
    }
  }
  CHECK(unlocked_overlap_found);
}

TEST_CASE("mutex: std::lock_guard and std::unique_lock lock and unlock it at the user's line", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    int inside = 0, max_inside = 0, total = 0;
    unsigned guard_line = 0;
    bool owns_deferred = true, owns_after_lock = false, owns_try = false, try_failed_while_held = true;
    bool locked_after = true;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::WaitGroup wg;
          for (int w = 0; w < 3; ++w) {
            wg.add(1);
            gr::go(
                [&, w] {
                  for (int k = 0; k < 3; ++k) {
                    if (w == 0) {
                      guard_line = __LINE__ + 1;
                      std::lock_guard<gr::Mutex> lk(mu);
                      max_inside = std::max(max_inside, ++inside);
                      gr::yield();
                      ++total;
                      --inside;
                    } else {
                      std::unique_lock<gr::Mutex> lk(mu);
                      max_inside = std::max(max_inside, ++inside);
                      gr::yield();
                      ++total;
                      --inside;
                      lk.unlock();
                      gr::yield();
                      lk.lock();
                      max_inside = std::max(max_inside, ++inside);
                      gr::yield();
                      --inside;
                    }
                  }
                  wg.done();
                },
                named("w", w));
          }
          wg.wait();
          std::unique_lock<gr::Mutex> deferred(mu, std::defer_lock);
          owns_deferred = deferred.owns_lock();
          deferred.lock();
          owns_after_lock = deferred.owns_lock();
          std::unique_lock<gr::Mutex> attempt(mu, std::try_to_lock);  // held by `deferred`
          try_failed_while_held = !attempt.owns_lock();
          deferred.unlock();
          std::unique_lock<gr::Mutex> second(mu, std::try_to_lock);
          owns_try = second.owns_lock();
          second.unlock();
          locked_after = mu.locked();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(max_inside == 1);
    CHECK(total == 9);
    CHECK_FALSE(owns_deferred);
    CHECK(owns_after_lock);
    CHECK(try_failed_while_held);
    CHECK(owns_try);
    CHECK_FALSE(locked_after);
    // Lock and Unlock events of the lock_guard name the user's line, not <mutex>.
    std::size_t guard_locks = 0, guard_unlocks = 0;
    for (const auto& e : out.events) {
      if (e.kind != gr::EventKind::Lock && e.kind != gr::EventKind::Unlock) continue;
      CHECK(ends_with(e.file, "test_sync.cpp"));
      if (e.gid == 2 && e.line == guard_line) ++(e.kind == gr::EventKind::Lock ? guard_locks : guard_unlocks);
    }
    CHECK(guard_locks == 3);
    CHECK(guard_unlocks == 3);
  }
}

TEST_CASE("mutex: try_lock takes a free mutex and refuses a held one", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    std::vector<bool> results;
    bool other_while_held = true, other_after = false;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          results.push_back(mu.try_lock());  // free: true
          results.push_back(mu.try_lock());  // held (by us; Go's TryLock is not reentrant): false
          gr::chan<int> step(0, "step");
          gr::go(
              [&] {
                other_while_held = mu.try_lock();
                step.send(1);
                step.recv();
                other_after = mu.try_lock();
                if (other_after) mu.unlock();
                step.send(2);
              },
              "other");
          step.recv();
          mu.unlock();
          step.send(0);
          step.recv();
          results.push_back(mu.locked());
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(results == std::vector<bool>{true, false, false});
    CHECK_FALSE(other_while_held);
    CHECK(other_after);
  }
}

TEST_CASE("mutex: unlock of an unlocked mutex is a fatal error that cannot be recovered", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool recovered = false, after = false;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          gr::go(
              [&] {
                mu.lock();
                mu.unlock();
                try {
                  line = __LINE__ + 1;
                  mu.unlock();
                } catch (const gr::Panic&) {
                  recovered = true;
                }
                after = true;
              },
              "unlocker");
          gr::sleep(1s);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message.find("unlock of unlocked mutex") != std::string::npos);
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "unlocker");
    CHECK(out.result.site.line == line);
    CHECK_FALSE(recovered);
    CHECK_FALSE(after);
    CHECK(out.result.vtime_ns == 0);  // the run ended at once, main never woke
  }
}

TEST_CASE("mutex: a mutex locked by one goroutine may be unlocked by another", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    bool relocked = false;
    auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          mu.lock();
          gr::go([&] { mu.unlock(); }, "unlocker");
          mu.lock();  // waits until the other goroutine unlocks
          relocked = true;
          mu.unlock();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(relocked);
  }
}

TEST_CASE("mutex: locking a held mutex nobody will release deadlocks, naming the mutex", "[semantics]") {
  unsigned line = 0;
  auto out = run_with(
      [&] {
        gr::Mutex mu("the_lock");
        mu.lock();
        line = __LINE__ + 1;
        mu.lock();
      },
      "random", 7);
  CHECK(out.result.outcome == gr::Outcome::Deadlock);
  REQUIRE(out.result.blocked.size() == 1);
  CHECK(out.result.blocked[0].reason == gr::WaitReason::Mutex);
  CHECK(out.result.blocked[0].object == "the_lock");
  CHECK(out.result.blocked[0].site.line == line);
}

// ---- panics, exceptions, checks ----

TEST_CASE("panic: a goroutine that catches gr::Panic recovers and the run goes on", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    std::string msg;
    unsigned line = 0, caught_line = 0;
    int after = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          gr::go(
              [&] {
                try {
                  line = __LINE__ + 1;
                  gr::panic("boom");
                } catch (const gr::Panic& p) {
                  msg = p.message();
                  caught_line = p.site().line;
                }
                c.send(1);
              },
              "recoverer");
          after = c.recv();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(msg == "boom");
    CHECK(caught_line == line);
    CHECK(after == 1);
  }
}

TEST_CASE("panic: an uncaught gr::panic ends the run naming the goroutine and the line", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool after = false;
    auto out = run_with(
        [&] {
          gr::go([] { gr::sleep(1h); }, "bystander");
          gr::go(
              [&] {
                gr::yield();
                line = __LINE__ + 1;
                gr::panic("something broke: " + std::to_string(42));
                after = true;
              },
              "worker");
          gr::sleep(2h);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "something broke: 42");
    CHECK(out.result.goroutine == 3);
    CHECK(out.result.goroutine_name == "worker");
    CHECK(out.result.site.line == line);
    CHECK(ends_with(out.result.site.file, "test_sync.cpp"));
    CHECK(out.result.site.file.front() != '/');  // relative to the source tree
    CHECK_FALSE(after);
    REQUIRE(!out.events.empty());
    CHECK(out.events.back().kind == gr::EventKind::Panic);
    CHECK(out.events.back().gid == 3);
    CHECK(out.events.back().text == "something broke: 42");
  }
}

TEST_CASE("panic: a panic in main ends the run too", "[semantics]") {
  unsigned line = 0;
  auto out = run_with(
      [&] {
        line = __LINE__ + 1;
        gr::panic("main fell over");
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Panic);
  CHECK(out.result.message == "main fell over");
  CHECK(out.result.goroutine == 1);
  CHECK(out.result.goroutine_name == "main");
  CHECK(out.result.site.line == line);
}

TEST_CASE("panic: a C++ exception escaping a goroutine is a panic with its what()", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    bool after = false;
    auto out = run_with(
        [&] {
          gr::go(
              [&] {
                gr::yield();
                throw std::runtime_error("bad thing happened");
              },
              "thrower");
          gr::sleep(1s);
          after = true;
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "bad thing happened");
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "thrower");
    CHECK_FALSE(after);
  }
  // Caught inside the goroutine, it is just C++: the run is fine.
  std::string caught;
  auto ok = run_with(
      [&] {
        gr::go([&] {
          try {
            throw std::logic_error("handled");
          } catch (const std::exception& e) {
            caught = e.what();
          }
        });
        gr::sleep(1ms);
      },
      "fifo");
  CHECK(ok.result.outcome == gr::Outcome::Ok);
  CHECK(caught == "handled");
}

TEST_CASE("check: a failed gr::check ends the run with check_failed; nothing after it runs", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    unsigned line = 0;
    bool passed_true_check = false, after = false, recovered = false;
    auto out = run_with(
        [&] {
          gr::go(
              [&] {
                gr::check(true, "fine");
                passed_true_check = true;
                try {
                  line = __LINE__ + 1;
                  gr::check(1 + 1 == 3, "arithmetic is broken");
                } catch (const gr::Panic&) {
                  recovered = true;
                }
                after = true;
              },
              "checker");
          gr::sleep(1s);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::CheckFailed);
    CHECK(out.result.message == "arithmetic is broken");
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "checker");
    CHECK(out.result.site.line == line);
    CHECK(passed_true_check);
    CHECK_FALSE(after);
    CHECK_FALSE(recovered);
    REQUIRE(!out.events.empty());
    CHECK(out.events.back().kind == gr::EventKind::CheckFailed);
    CHECK(out.events.back().text == "arithmetic is broken");
  }
}

// ---- teardown inside destructors ----

TEST_CASE("mutex: unlock of an unlocked mutex through std::lock_guard's destructor is a fatal error, not a crash",
          "[semantics]") {
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        std::lock_guard<gr::Mutex> guard(mu);
        gr::go([&] { mu.unlock(); }, "unlocker");  // allowed in Go
        gr::sleep(1ms);
      },  // ~lock_guard unlocks an unlocked mutex: fatal error
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Panic);
  CHECK(out.result.message.find("unlock of unlocked mutex") != std::string::npos);
}

// A destructor that calls a runtime operation must be noexcept(false): the run
// may end while the goroutine is switched out there, and teardown unwinds it
// with an exception (docs/go-semantics.md, "Teardown").
TEST_CASE("teardown: a goroutine blocked in a noexcept(false) destructor when main returns is a leak", "[semantics]") {
  struct SendOnExit {
    gr::chan<int> c;
    ~SendOnExit() noexcept(false) { c.send(1); }  // like Go's `defer func() { c <- 1 }()`
  };
  auto out = run_with(
      [&] {
        gr::chan<int> c(0, "c");
        gr::go([c] { SendOnExit s{c}; }, "deferred_sender");
        gr::sleep(1ms);
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Leak);
}

TEST_CASE("teardown: a goroutine switched out in the unlock of a unique_lock's move-assignment is unwound, not "
          "terminated",
          "[semantics]") {
  // The worker hands its lock back and forth between two mutexes: each
  // move-assignment unlocks one (a scheduling point) after locking the
  // other. When main returns, some schedules have the worker switched out
  // inside that unlock, and teardown's exception must leave the assignment.
  int unwound_inside = 0;
  for (const auto& [strategy, seed] : schedules(60)) {
    INFO(strategy << " seed " << seed);
    int assigning = 0;
    int assigned = 0;
    auto out = run_with(
        [&] {
          gr::Mutex a("a"), b("b");
          gr::go([&] {
            std::unique_lock<gr::Mutex> held(a);
            for (int i = 0; i < 1000; ++i) {
              const bool on_a = i % 2 == 0;
              std::unique_lock<gr::Mutex> next(on_a ? b : a);
              ++assigning;
              held = std::move(next);
              ++assigned;
            }
          }, "juggler");
          for (int i = 0; i < 6; ++i) gr::yield();
        },
        strategy, seed, gr::RaceMode::First, 0);  // no drain: torn down at main's return
    CHECK(out.result.outcome == gr::Outcome::Ok);
    if (assigning != assigned) ++unwound_inside;
  }
  CHECK(unwound_inside > 0);
}

TEST_CASE("check: a failed gr::check in a noexcept(false) destructor is check_failed", "[semantics]") {
  struct CheckOnExit {
    ~CheckOnExit() noexcept(false) { gr::check(false, "invariant at scope exit"); }
  };
  auto out = run_with([&] { CheckOnExit c; }, "fifo");
  CHECK(out.result.outcome == gr::Outcome::CheckFailed);
  CHECK(out.result.message == "invariant at scope exit");
}

TEST_CASE("mutex: which waiter a released mutex wakes is a strategy decision", "[semantics]") {
  // Two goroutines wait for the mutex main holds; who gets it next shows as
  // the first of them to lock after main's unlock.
  auto program = [](std::string& order) {
    return [&order] {
      gr::Mutex mu("mu");
      gr::WaitGroup wg;
      mu.lock();
      for (const char* name : {"a", "b"}) {
        wg.add(1);
        gr::go([&, name] {
          mu.lock();
          order += name;
          mu.unlock();
          wg.done();
        }, name);
      }
      gr::sleep(std::chrono::seconds(1));  // both are parked on the mutex now
      mu.unlock();
      wg.wait();
    };
  };
  std::set<std::string> orders;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    std::string order;
    auto out = run_with(program(order), "random", seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    orders.insert(order);
  }
  CHECK(orders == std::set<std::string>{"ab", "ba"});
  std::string fifo_order;
  run_with(program(fifo_order), "fifo");
  CHECK(fifo_order == "ab");  // fifo wakes the longest waiter
}
