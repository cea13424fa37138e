// test_rwmutex.cpp: sync.RWMutex, one test case per Go rule, under fifo and
// many seeds of the random strategy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::named;
using gr::test::run_with;
using gr::test::schedules;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Counted is a run whose events also keep Event::counter (readers after an
// RLock or RUnlock), which the shared test observer does not: counter[seq - 1].
struct Counted {
  gr::test::RunOutput out;
  std::vector<std::int64_t> counter;
};

Counted run_counting(const std::function<void()>& fn, const std::string& strategy, std::uint64_t seed) {
  struct CounterLog final : gr::Observer {
    std::vector<std::int64_t> counter;
    void on_event(const gr::Event& e) override { counter.push_back(e.counter); }
  } counters;
  gr::test::EventLog log;
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.observers = {&log, &counters};
  Counted c;
  c.out.result = gr::run(fn, o);
  c.out.events = log.events;
  c.out.lines = log.lines();
  c.counter = counters.counter;
  return c;
}

}  // namespace

TEST_CASE("rwmutex: a writer excludes readers and other writers; readers share", "[semantics]") {
  bool readers_overlapped = false;
  for (const auto& [strategy, seed] : schedules(150)) {
    INFO(strategy << " seed " << seed);
    int readers_in = 0, writers_in = 0;
    bool violated = false;
    int max_readers = 0;
    int value = 0, reads_ok = 0;
    auto out = run_with(
        [&] {
          gr::RWMutex rw("rw");
          gr::WaitGroup wg;
          for (int i = 0; i < 2; ++i) {
            wg.add(1);
            gr::go(
                [&] {
                  for (int k = 0; k < 3; ++k) {
                    rw.lock();
                    ++writers_in;
                    if (writers_in != 1 || readers_in != 0) violated = true;
                    const int v = value;
                    gr::yield();
                    value = v + 1;
                    gr::yield();
                    --writers_in;
                    rw.unlock();
                  }
                  wg.done();
                },
                named("writer", i));
          }
          for (int i = 0; i < 3; ++i) {
            wg.add(1);
            gr::go(
                [&] {
                  for (int k = 0; k < 3; ++k) {
                    rw.lock_shared();
                    ++readers_in;
                    max_readers = std::max(max_readers, readers_in);
                    if (writers_in != 0) violated = true;
                    const int v = value;
                    gr::yield();
                    if (value == v) ++reads_ok;  // nobody wrote meanwhile
                    --readers_in;
                    rw.unlock_shared();
                  }
                  wg.done();
                },
                named("reader", i));
          }
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK_FALSE(violated);
    CHECK(value == 6);
    CHECK(reads_ok == 9);
    if (max_readers > 1) readers_overlapped = true;
  }
  CHECK(readers_overlapped);  // readers do hold it together on some schedules
}

TEST_CASE("rwmutex: a second reader gets in while a reader holds the lock", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    bool other_got_it = false;
    auto [out, counter] = run_counting(
        [&] {
          gr::RWMutex rw("rw");
          gr::chan<int> c(0, "c");
          gr::WaitGroup wg;
          rw.lock_shared();
          wg.add(1);
          gr::go(
              [&] {
                rw.lock_shared();  // main holds a read lock: no wait
                other_got_it = true;
                c.send(1);
                rw.unlock_shared();
                wg.done();
              },
              "reader");
          c.recv();  // only returns once the reader is inside
          rw.unlock_shared();
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(other_got_it);
    for (const auto& e : out.events) CHECK(e.reason != gr::WaitReason::RWMutexRead);
    std::vector<std::int64_t> counters;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::RLock || e.kind == gr::EventKind::RUnlock) counters.push_back(counter.at(e.seq - 1));
    REQUIRE(counters.size() == 4);
    CHECK(counters[0] == 1);
    CHECK(counters[1] == 2);  // both inside at once
    CHECK(counters[3] == 0);
  }
}

TEST_CASE("rwmutex: a waiting writer blocks new readers", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::string> order;
    bool late_reader_in_early = true;
    auto out = run_with(
        [&] {
          gr::RWMutex rw("rw");
          gr::WaitGroup wg;
          rw.lock_shared();
          wg.add(2);
          gr::go(
              [&] {
                rw.lock();
                order.push_back("writer");
                rw.unlock();
                wg.done();
              },
              "writer");
          gr::sleep(1ms);  // the writer is waiting for main's read lock
          gr::go(
              [&] {
                rw.lock_shared();  // a writer waits: this reader queues behind it
                order.push_back("late_reader");
                rw.unlock_shared();
                wg.done();
              },
              "late_reader");
          gr::sleep(1ms);
          late_reader_in_early = !order.empty();
          rw.unlock_shared();
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK_FALSE(late_reader_in_early);
    CHECK(order == std::vector<std::string>{"writer", "late_reader"});
    std::vector<std::string> parks;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Park && e.reason != gr::WaitReason::Sleep && e.reason != gr::WaitReason::WaitGroup)
        parks.push_back("g" + std::to_string(e.gid) + " " + std::string(gr::to_string(e.reason)));
    CHECK(parks.size() == 2);
    CHECK(parks[0] == "g2 " + std::string(gr::to_string(gr::WaitReason::RWMutexWrite)));
    CHECK(parks[1] == "g3 " + std::string(gr::to_string(gr::WaitReason::RWMutexRead)));
    // The writer was woken by main's RUnlock, the late reader by the writer's Unlock.
    for (const auto& e : out.events) {
      if (e.kind != gr::EventKind::Wake || (e.gid != 2 && e.gid != 3)) continue;
      const auto& waker = out.events[e.cause - 1];
      CHECK(waker.seq == e.cause);
      CHECK(waker.kind == (e.gid == 2 ? gr::EventKind::RUnlock : gr::EventKind::Unlock));
    }
  }
}

TEST_CASE("rwmutex: unlock lets in every reader queued behind the writer before the next writer", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(50)) {
    INFO(strategy << " seed " << seed);
    std::vector<std::string> order;
    auto [out, counter] = run_counting(
        [&] {
          gr::RWMutex rw("rw");
          gr::WaitGroup wg;
          rw.lock();
          for (int i = 0; i < 2; ++i) {
            wg.add(1);
            gr::go(
                [&, i] {
                  rw.lock_shared();
                  order.push_back(named("r", i));
                  gr::yield();
                  rw.unlock_shared();
                  wg.done();
                },
                named("reader", i));
          }
          gr::sleep(1ms);
          wg.add(1);
          gr::go(
              [&] {
                rw.lock();
                order.push_back("w2");
                rw.unlock();
                wg.done();
              },
              "writer2");
          gr::sleep(1ms);  // two readers and a writer are queued
          rw.unlock();
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE(order.size() == 3);
    CHECK(order[2] == "w2");
    // main's Unlock woke both readers, already counted as holders; writer2
    // got in only after both had left.
    std::uint64_t main_unlock = 0;
    for (const auto& e : out.events)
      if (e.kind == gr::EventKind::Unlock && e.gid == 1) main_unlock = e.seq;
    std::vector<std::int64_t> rlock_counters;
    for (const auto& e : out.events) {
      if (e.kind == gr::EventKind::Wake && (e.gid == 2 || e.gid == 3)) CHECK(e.cause == main_unlock);
      if (e.kind == gr::EventKind::RLock) {
        CHECK(e.cause == main_unlock);
        rlock_counters.push_back(counter.at(e.seq - 1));
      }
    }
    REQUIRE(rlock_counters.size() == 2);
    CHECK(rlock_counters[0] == 2);  // both counted before either ran
  }
}

TEST_CASE("rwmutex: a recursive read lock behind a waiting writer deadlocks on some schedules", "[semantics]") {
  int deadlocks = 0, oks = 0;
  for (std::uint64_t seed = 1; seed <= 200 && (deadlocks == 0 || oks == 0); ++seed) {
    auto out = run_with(
        [&] {
          gr::RWMutex rw("table");
          gr::WaitGroup wg("wg");
          wg.add(2);
          gr::go(
              [&] {
                rw.lock_shared();
                gr::yield();
                rw.lock_shared();  // recursive: fine unless a writer waits
                rw.unlock_shared();
                rw.unlock_shared();
                wg.done();
              },
              "reader");
          gr::go(
              [&] {
                rw.lock();
                rw.unlock();
                wg.done();
              },
              "writer");
          wg.wait();
        },
        "random", seed);
    if (out.result.outcome == gr::Outcome::Ok) {
      ++oks;
      continue;
    }
    INFO("seed " << seed);
    REQUIRE(out.result.outcome == gr::Outcome::Deadlock);
    ++deadlocks;
    REQUIRE(out.result.blocked.size() == 3);
    std::vector<std::string> blocked;
    for (const auto& b : out.result.blocked)
      blocked.push_back(b.name + " " + std::string(gr::to_string(b.reason)) + " " + b.object);
    std::sort(blocked.begin(), blocked.end());
    CHECK(blocked == std::vector<std::string>{"main sync.WaitGroup.Wait wg", "reader sync.RWMutex.RLock table",
                                              "writer sync.RWMutex.Lock table"});
  }
  CHECK(deadlocks > 0);
  CHECK(oks > 0);
}

TEST_CASE("rwmutex: Unlock of an unlocked RWMutex is a fatal error that cannot be recovered", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    for (int variant = 0; variant < 2; ++variant) {
      INFO(strategy << " seed " << seed << " variant " << variant);
      unsigned line = 0;
      bool recovered = false, after = false;
      auto out = run_with(
          [&] {
            gr::RWMutex rw("rw");
            gr::go(
                [&] {
                  if (variant == 0) {
                    rw.lock();
                    rw.unlock();
                  } else {
                    rw.lock_shared();  // read-locked only: still not write-locked
                  }
                  try {
                    line = __LINE__ + 1;
                    rw.unlock();
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
      CHECK(out.result.message == "fatal error: sync: Unlock of unlocked RWMutex");
      CHECK(out.result.goroutine_name == "unlocker");
      CHECK(out.result.site.line == line);
      CHECK_FALSE(recovered);
      CHECK_FALSE(after);
      CHECK(out.result.vtime_ns == 0);
    }
  }
}

TEST_CASE("rwmutex: RUnlock of an unlocked RWMutex is a fatal error that cannot be recovered", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    for (int variant = 0; variant < 2; ++variant) {
      INFO(strategy << " seed " << seed << " variant " << variant);
      unsigned line = 0;
      bool recovered = false, after = false;
      auto out = run_with(
          [&] {
            gr::RWMutex rw("rw");
            gr::go(
                [&] {
                  if (variant == 0) {
                    rw.lock_shared();
                    rw.unlock_shared();
                  } else {
                    rw.lock();  // write-locked: no read lock to release
                  }
                  try {
                    line = __LINE__ + 1;
                    rw.unlock_shared();
                  } catch (const gr::Panic&) {
                    recovered = true;
                  }
                  after = true;
                },
                "runlocker");
            gr::sleep(1s);
          },
          strategy, seed);
      CHECK(out.result.outcome == gr::Outcome::Panic);
      CHECK(out.result.message == "fatal error: sync: RUnlock of unlocked RWMutex");
      CHECK(out.result.goroutine_name == "runlocker");
      CHECK(out.result.site.line == line);
      CHECK_FALSE(recovered);
      CHECK_FALSE(after);
    }
  }
}

TEST_CASE("rwmutex: try_lock and try_lock_shared", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    std::vector<bool> got;
    auto out = run_with(
        [&] {
          gr::RWMutex rw("rw");
          got.push_back(rw.try_lock_shared());  // free: yes
          got.push_back(rw.try_lock_shared());  // readers share: yes
          got.push_back(rw.try_lock());         // readers inside: no
          rw.unlock_shared();
          rw.unlock_shared();
          got.push_back(rw.try_lock());         // free: yes
          got.push_back(rw.try_lock());         // write-locked: no
          got.push_back(rw.try_lock_shared());  // write-locked: no
          rw.unlock();
          // A writer that waits for a reader makes try_lock_shared fail too.
          rw.lock_shared();
          gr::go([&] { rw.lock(); rw.unlock(); }, "writer");
          gr::sleep(1ms);
          got.push_back(rw.try_lock_shared());  // no: a writer is announced
          rw.unlock_shared();
          gr::sleep(1ms);
          got.push_back(rw.try_lock_shared());  // the writer is gone: yes
          rw.unlock_shared();
          got.push_back(rw.readers() == 0 && !rw.write_locked());
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(got == std::vector<bool>{true, true, false, true, false, false, false, true, true});
  }
}

TEST_CASE("rwmutex: std::shared_lock, std::unique_lock and std::lock_guard lock it at the user's line", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(30)) {
    INFO(strategy << " seed " << seed);
    unsigned shared_line = 0, shared_unlock_line = 0, unique_line = 0, guard_line = 0;
    int readers_in = 0, writers_in = 0;
    bool violated = false, owns = false, deferred_owns = true, try_owns = true;
    auto out = run_with(
        [&] {
          gr::RWMutex rw("rw");
          gr::WaitGroup wg;
          wg.add(3);
          gr::go(
              [&] {
                shared_line = __LINE__ + 1;
                std::shared_lock<gr::RWMutex> lk(rw);
                ++readers_in;
                if (writers_in) violated = true;
                gr::yield();
                --readers_in;
                shared_unlock_line = __LINE__ + 1;
                lk.unlock();
                wg.done();
              },
              "shared");
          gr::go(
              [&] {
                {
                  unique_line = __LINE__ + 1;
                  std::unique_lock<gr::RWMutex> lk(rw);
                  if (++writers_in != 1 || readers_in) violated = true;
                  gr::yield();
                  --writers_in;
                }
                wg.done();
              },
              "unique");
          gr::go(
              [&] {
                {
                  guard_line = __LINE__ + 1;
                  std::lock_guard<gr::RWMutex> lk(rw);
                  if (++writers_in != 1 || readers_in) violated = true;
                  gr::yield();
                  --writers_in;
                }
                wg.done();
              },
              "guard");
          wg.wait();
          std::shared_lock<gr::RWMutex> deferred(rw, std::defer_lock);
          deferred_owns = deferred.owns_lock();
          deferred.lock();
          owns = deferred.owns_lock();
          std::unique_lock<gr::RWMutex> attempt(rw, std::try_to_lock);  // a reader is in: fails
          try_owns = attempt.owns_lock();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK_FALSE(violated);
    CHECK_FALSE(deferred_owns);
    CHECK(owns);
    CHECK_FALSE(try_owns);
    std::size_t at_shared = 0, at_shared_unlock = 0, at_unique = 0, at_guard = 0;
    for (const auto& e : out.events) {
      if (e.kind != gr::EventKind::Lock && e.kind != gr::EventKind::Unlock && e.kind != gr::EventKind::RLock &&
          e.kind != gr::EventKind::RUnlock)
        continue;
      CHECK(ends_with(e.file, "test_rwmutex.cpp"));
      if (e.gid == 2 && e.line == shared_line) ++at_shared;
      if (e.gid == 2 && e.line == shared_unlock_line) ++at_shared_unlock;
      if (e.gid == 3 && e.line == unique_line) ++at_unique;
      if (e.gid == 4 && e.line == guard_line) ++at_guard;
    }
    CHECK(at_shared == 1);  // RLock where the shared_lock was made
    CHECK(at_shared_unlock == 1);  // RUnlock where lk.unlock() was called
    CHECK(at_unique == 2);  // Lock and the destructor's Unlock
    CHECK(at_guard == 2);
  }
}

TEST_CASE("rwmutex: events of a small program, exactly", "[semantics]") {
  auto out = run_with(
      [&] {
        gr::RWMutex rw("rw");
        rw.lock_shared();
        gr::go([&] { rw.lock(); rw.unlock(); }, "writer");
        gr::yield();  // the writer announces itself and waits for main
        rw.unlock_shared();
        gr::yield();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(out.lines == std::vector<std::string>{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'rw'",
                         "g1 rlock #1",
                         "g1 spawn peer=g2 'writer'",
                         "g1 yield",
                         "g2 switch",
                         "g2 park #1 [sync.RWMutex.Lock]",
                         "g1 switch",
                         "g1 runlock #1",
                         "g2 wake peer=g1",
                         "g1 yield",
                         "g2 switch",
                         "g2 lock #1",
                         "g2 unlock #1",
                         "g2 exit",
                         "g1 switch",
                         "g1 exit",
                     });
}

TEST_CASE("rwmutex: goroutines parked on an RWMutex when main returns are torn down", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(20)) {
    INFO(strategy << " seed " << seed);
    int cleaned = 0;
    struct Cleanup {
      int* n;
      ~Cleanup() { ++*n; }
    };
    auto out = run_with(
        [&] {
          gr::RWMutex rw("rw");
          rw.lock_shared();
          gr::go([&] { Cleanup c{&cleaned}; std::lock_guard<gr::RWMutex> lk(rw); }, "writer");  // drains
          gr::go([&] { Cleanup c{&cleaned}; std::unique_lock<gr::RWMutex> lk(rw); }, "writer2");  // slot
          gr::sleep(1ms);
          gr::go([&] { Cleanup c{&cleaned}; std::shared_lock<gr::RWMutex> lk(rw); }, "reader");  // queued
          gr::sleep(1ms);
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(cleaned == 3);
    std::vector<gr::WaitReason> reasons;
    for (const auto& b : out.result.blocked) reasons.push_back(b.reason);
    std::sort(reasons.begin(), reasons.end());
    CHECK(reasons == std::vector<gr::WaitReason>{gr::WaitReason::RWMutexRead, gr::WaitReason::RWMutexWrite,
                                                 gr::WaitReason::RWMutexWrite});
  }
}

TEST_CASE("rwmutex: which waiting writer an unlock wakes is the strategy's decision", "[semantics]") {
  // Three writers queue behind main's write lock in a known order; the
  // order in which they then get it differs between seeds (fifo: queue order).
  std::set<std::vector<int>> orders;
  std::vector<int> fifo_order;
  for (const auto& [strategy, seed] : schedules(60)) {
    INFO(strategy << " seed " << seed);
    std::vector<int> order;
    auto out = run_with(
        [&] {
          gr::RWMutex rw("rw");
          gr::WaitGroup wg;
          rw.lock();
          for (int i = 0; i < 3; ++i) {
            wg.add(1);
            gr::go(
                [&, i] {
                  for (int k = 0; k < i; ++k) gr::sleep(1ms);  // queue in index order
                  rw.lock();
                  order.push_back(i);
                  rw.unlock();
                  wg.done();
                },
                named("writer", i));
          }
          gr::sleep(5ms);
          rw.unlock();
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    REQUIRE(order.size() == 3);
    if (strategy == "fifo") fifo_order = order;
    orders.insert(order);
  }
  CHECK(fifo_order == std::vector<int>{0, 1, 2});
  CHECK(orders.size() > 1);
}
