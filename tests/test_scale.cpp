// test_scale.cpp: 100,000 goroutines parked at once, released, deadlocked
// and leaked. What is asserted is behaviour at scale (every goroutine parks,
// every one is released or reported, nothing is lost), never speed: speed is
// for bench/.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;

namespace {

constexpr int kGoroutines = 100'000;

// Tally counts events by kind, without keeping them.
class Tally final : public gr::Observer {
 public:
  void on_run_begin(const gr::RunInfo&) override {
    count.assign(32, 0);
    parked_now = max_parked = 0;
  }
  void on_event(const gr::Event& e) override {
    ++count[static_cast<std::size_t>(e.kind)];
    if (e.kind == gr::EventKind::Park) max_parked = std::max(max_parked, ++parked_now);
    if (e.kind == gr::EventKind::Wake) --parked_now;
  }
  std::int64_t parked_now = 0;  // goroutines parked right now
  std::int64_t max_parked = 0;
  std::uint64_t of(gr::EventKind k) const { return count[static_cast<std::size_t>(k)]; }
  std::vector<std::uint64_t> count = std::vector<std::uint64_t>(32, 0);
};

gr::RunResult run_tallied(const std::function<void()>& fn, const char* strategy, std::uint64_t seed, Tally& tally) {
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.observers = {&tally};
  return gr::run(fn, o);
}

}  // namespace

TEST_CASE("scale: 100,000 goroutines parked on one channel, released by close", "[scale]") {
  for (const char* strategy : {"fifo", "random"}) {
    INFO(strategy);
    int released = 0, closed_ok = 0;
    std::int64_t parked_before_close = 0;
    Tally tally;
    const auto result = run_tallied(
        [&] {
          gr::chan<int> gate(0, "gate");
          gr::WaitGroup finished("finished");
          finished.add(kGoroutines);
          for (int i = 0; i < kGoroutines; ++i) {
            gr::go([&] {
              auto [v, ok] = gate.recv_ok();
              (void)v;
              if (!ok) ++closed_ok;
              ++released;
              finished.done();
            }, "waiter");
          }
          // Main runs until every waiter has parked on the gate (the observer
          // counts parks; reading it is deterministic, all on one thread).
          while (tally.parked_now < kGoroutines) gr::yield();
          parked_before_close = tally.parked_now;
          gate.close();  // one close wakes them all
          finished.wait();
        },
        strategy, 1, tally);
    REQUIRE(result.outcome == gr::Outcome::Ok);
    CHECK(result.goroutines == kGoroutines + 1);
    CHECK(parked_before_close == kGoroutines);
    CHECK(released == kGoroutines);
    CHECK(closed_ok == kGoroutines);
    CHECK(tally.of(gr::EventKind::Close) == 1);
    CHECK(tally.of(gr::EventKind::Recv) == kGoroutines);
    CHECK(tally.of(gr::EventKind::Exit) == kGoroutines + 1);
    CHECK(tally.of(gr::EventKind::Spawn) == kGoroutines + 1);
    CHECK(tally.of(gr::EventKind::Park) == tally.of(gr::EventKind::Wake));
    CHECK(tally.parked_now == 0);
  }
}

TEST_CASE("scale: 100,000 goroutines parked on a WaitGroup, released by one done", "[scale]") {
  int released = 0;
  int blocked_before_release = 0;
  Tally tally;
  const auto result = run_tallied(
      [&] {
        gr::WaitGroup start("start"), finished("finished");
        int arrived = 0;
        start.add(1);
        finished.add(kGoroutines);
        for (int i = 0; i < kGoroutines; ++i) {
          gr::go([&] {
            ++arrived;
            start.wait();
            ++released;
            finished.done();
          }, "waiter");
        }
        gr::yield();  // fifo: every waiter runs to start.wait() and parks
        blocked_before_release = arrived - released;
        start.done();  // one WgAdd wakes them all
        finished.wait();
      },
      "fifo", 1, tally);
  REQUIRE(result.outcome == gr::Outcome::Ok);
  CHECK(result.goroutines == kGoroutines + 1);
  CHECK(blocked_before_release == kGoroutines);
  CHECK(released == kGoroutines);
  CHECK(tally.of(gr::EventKind::Park) == kGoroutines + 1);  // the waiters and main's finished.wait()
  CHECK(tally.of(gr::EventKind::Wake) == kGoroutines + 1);
  CHECK(tally.of(gr::EventKind::WgWait) == kGoroutines + 1);
}

TEST_CASE("scale: 100,000 goroutines in a deadlock are all reported", "[scale]") {
  Tally tally;
  const auto result = run_tallied(
      [&] {
        gr::chan<int> never(0, "never");
        gr::WaitGroup wg("wg");
        wg.add(1);
        for (int i = 0; i < kGoroutines; ++i) gr::go([never] { never.recv(); }, "stuck");
        wg.wait();  // nobody calls done
      },
      "random", 3, tally);
  REQUIRE(result.outcome == gr::Outcome::Deadlock);
  CHECK(result.message == "all goroutines are asleep - deadlock!");
  CHECK(result.goroutines == kGoroutines + 1);
  REQUIRE(result.blocked.size() == kGoroutines + 1);  // main too
  std::size_t on_chan = 0, on_wg = 0;
  gr::Gid last = 0;
  bool ascending = true;
  for (const gr::BlockedGoroutine& g : result.blocked) {
    if (g.id <= last) ascending = false;
    last = g.id;
    if (g.reason == gr::WaitReason::ChanRecv && g.object == "never" && g.name == "stuck") ++on_chan;
    if (g.reason == gr::WaitReason::WaitGroup && g.object == "wg" && g.id == 1) ++on_wg;
  }
  CHECK(ascending);  // listed in a fixed order: by goroutine id
  CHECK(on_chan == kGoroutines);
  CHECK(on_wg == 1);
  CHECK(tally.of(gr::EventKind::Park) == kGoroutines + 1);
}

TEST_CASE("scale: main returning with 100,000 goroutines blocked is a leak listing them all", "[scale]") {
  int torn_down = 0;
  struct Count {
    int* n;
    ~Count() { ++*n; }
  };
  Tally tally;
  const auto result = run_tallied(
      [&] {
        gr::chan<int> never(0, "never");
        for (int i = 0; i < kGoroutines; ++i)
          gr::go([never, &torn_down] {
            Count c{&torn_down};
            never.recv();
          }, "stuck");
        gr::yield();  // fifo: all of them park
      },
      "fifo", 1, tally);
  REQUIRE(result.outcome == gr::Outcome::Leak);
  CHECK(result.goroutines == kGoroutines + 1);
  REQUIRE(result.blocked.size() == kGoroutines);
  CHECK(result.blocked.front().id == 2);
  CHECK(result.blocked.back().id == kGoroutines + 1);
  CHECK(torn_down == kGoroutines);  // every stack unwound once
}

TEST_CASE("scale: the leak report of 40,000 goroutines names what each waits on and who could wake it",
          "[scale]") {
  constexpr int kEach = 10'000;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  const gr::RunResult result = gr::run(
      [] {
        gr::chan<int> shared(0, "shared");
        gr::RWMutex rw("rw");
        rw.lock();  // main returns holding it
        gr::go([&rw] { rw.lock(); }, "writer");
        gr::yield();  // the writer queues first: readers wait behind it
        for (int i = 0; i < kEach; ++i) {
          gr::go([c = gr::chan<int>(0, "own")] { (void)c.recv(); }, "own");
          gr::go([shared] { shared.send(1); }, "sender");
          gr::go([c = gr::chan<int>(0, "mine"), shared] {
            gr::select(gr::recv(c, [](int, bool) {}), gr::send(shared, 2, [] {}));
          }, "select");
          gr::go([&rw] { rw.lock_shared(); }, "reader");
        }
        gr::yield();  // fifo: every goroutine runs and blocks
      },
      o);
  REQUIRE(result.outcome == gr::Outcome::Leak);
  REQUIRE(result.blocked.size() == 4 * kEach + 1);
  const std::vector<gr::WaitForNode>& nodes = result.wait_for.blocked;
  REQUIRE(nodes.size() == 4 * kEach + 1);
  CHECK(std::is_sorted(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a.gid < b.gid; }));
  const gr::Gid writer = nodes.front().gid;
  CHECK(nodes.front().name == "writer");
  CHECK(nodes.front().waits_on.size() == 1);
  CHECK(nodes.front().waits_on.front().wakers.empty());  // its holder, main, has returned
  int own = 0, senders = 0, selects = 0, readers = 0;
  for (const gr::WaitForNode& n : nodes) {
    if (n.name == "own") {
      own += n.waits_on.size() == 1 && n.waits_on[0].name == "own" && !n.waits_on[0].send &&
             n.waits_on[0].wakers.empty();
    } else if (n.name == "sender") {
      senders += n.waits_on.size() == 1 && n.waits_on[0].name == "shared" && n.waits_on[0].send &&
                 n.waits_on[0].wakers.empty();
    } else if (n.name == "select") {
      // In the order of the channels' ids: shared was made first.
      selects += n.waits_on.size() == 2 && n.waits_on[0].name == "shared" && n.waits_on[0].send &&
                 n.waits_on[1].name == "mine" && !n.waits_on[1].send && n.waits_on[0].wakers.empty() &&
                 n.waits_on[1].wakers.empty();
    } else if (n.name == "reader") {
      readers += n.waits_on.size() == 1 && n.waits_on[0].name == "rw" && n.waits_on[0].wakers.size() == 1 &&
                 n.waits_on[0].wakers[0] == gr::Waker{writer, "writer", gr::WakeRole::Writer};
    }
  }
  CHECK(own == kEach);
  CHECK(senders == kEach);
  CHECK(selects == kEach);
  CHECK(readers == kEach);
}
