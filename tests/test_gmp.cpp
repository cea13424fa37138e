// test_gmp.cpp: Go's scheduler (RunOptions::procs, `--procs N`). Each
// placement rule of Go 1.19's src/runtime/proc.go, and each rule of the Ps'
// virtual clocks, is pinned by a small program whose order is derived by
// hand from it; scenario run_order's orders are the ones Go itself prints
// under one P (label go).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli_support.hpp"
#include "support.hpp"

namespace gr = gorewind;

namespace {

using Body = std::function<void(std::vector<std::string>&)>;

// order() runs body on one P (under any strategy: the run queues decide)
// and returns the names its goroutines added to the order, in turn.
std::vector<std::string> order(const Body& body, std::uint64_t seed = 1) {
  std::vector<std::string> out;
  gr::RunOptions o;
  o.procs = 1;
  o.seed = seed;
  const gr::RunResult r = gr::run([&] { body(out); }, o);
  REQUIRE(r.ok());
  return out;
}

// on_procs() runs body on procs Ps under fifo, whose every tie goes to the
// P that is current (then to the next ones in turn).
std::vector<std::string> on_procs(unsigned procs, const Body& body) {
  std::vector<std::string> out;
  gr::RunOptions o;
  o.procs = procs;
  o.strategy = gr::make_strategy("fifo");
  const gr::RunResult r = gr::run([&] { body(out); }, o);
  REQUIRE(r.ok());
  return out;
}

// at() is name@T, T the caller's P's clock in whole milliseconds.
std::string at(const std::string& name) {
  return name + "@" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(gr::now().time_since_epoch()).count());
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (const char c : text + " ") {
    if (c != ' ') w += c;
    else if (!w.empty()) out.push_back(std::exchange(w, ""));
  }
  return out;
}

// spawn_all() spawns n goroutines named 0..n-1, each adding its name, and
// waits for them.
void spawn_all(std::vector<std::string>& out, int n) {
  gr::WaitGroup wg;
  for (int i = 0; i < n; ++i) {
    wg.add(1);
    gr::go([&, i] {
      out.push_back(std::to_string(i));
      wg.done();
    });
  }
  wg.wait();
}

std::vector<std::string> range(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("gmp: a new goroutine takes runnext; the one it displaces goes to the local queue (newproc, runqput)",
          "[gmp]") {
  // go 0, go 1, go 2: runnext 2, local [0 1]; main blocks: runnext first,
  // then the local queue, oldest first. Every seed: no strategy decides.
  for (const std::uint64_t seed : {1, 2, 3, 17}) {
    INFO("seed " << seed);
    CHECK(order([](auto& out) { spawn_all(out, 3); }, seed) == words("2 0 1"));
  }
}

TEST_CASE("gmp: a woken goroutine takes its waker's runnext, ahead of the local queue (ready); the waker runs on",
          "[gmp]") {
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    gr::chan<int> ch(0, "ch");
    wg.add(2);
    gr::go([&] {
      out.push_back("A");
      wg.done();
    });
    gr::go([&] {
      out.push_back("B1");
      ch.send(1);  // main is waiting: it takes runnext, B goes on
      out.push_back("B2");
      wg.done();
    });
    ch.recv();
    out.push_back("main");
    wg.wait();
  };
  CHECK(order(body) == words("B1 B2 main A"));
}

TEST_CASE("gmp: a goroutine that yields goes to the global queue, taken after the local one (goschedImpl)", "[gmp]") {
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    wg.add(3);
    gr::go([&] {
      out.push_back("A");
      wg.done();
    });
    gr::go([&] {
      out.push_back("B");
      wg.done();
    });
    gr::go([&] {
      out.push_back("C1");
      gr::yield();
      out.push_back("C2");
      wg.done();
    });
    wg.wait();
  };
  CHECK(order(body) == words("C1 A B C2"));
}

TEST_CASE("gmp: every 61st schedtick the global queue comes first (findRunnable)", "[gmp]") {
  // Y yields into the global queue, behind 99 goroutines in the local one.
  // main's first block is at schedtick 5 (RunQueues::kMainTick); 99 runs
  // from runnext (no tick), Y and then 0, 1, ... each count one, so the
  // check at tick 61 comes after Y and 55 more: Y's second half runs after
  // 56 of the others, as in Go.
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    wg.add(1);
    gr::go([&] {
      gr::yield();
      out.push_back("Y");
      wg.done();
    });
    for (int i = 0; i < 100; ++i) {
      wg.add(1);
      gr::go([&, i] {
        out.push_back(std::to_string(i));
        wg.done();
      });
    }
    wg.wait();
  };
  std::vector<std::string> want = {"99"};
  for (const std::string& s : range(0, 54)) want.push_back(s);
  want.push_back("Y");
  for (const std::string& s : range(55, 98)) want.push_back(s);
  CHECK(order(body) == want);
}

TEST_CASE("gmp: a full local queue moves its older half and the newcomer to the global queue (runqputslow)",
          "[gmp]") {
  // 300 spawns: runnext 299. Spawn 256 found the ring of 256 full with 0..255
  // kicked from runnext in turn, so 0..127 and then 255's successor in
  // runnext, 256, went to the global queue; the ring holds 128..255 and
  // 257..298. main blocks at schedtick 5: 299 (runnext), then the ring,
  // except that at ticks 61 and 122 the global queue's head (0, then 1)
  // comes first; with the ring empty, the global queue hands over the rest
  // (globrunqget: 2 runs, 3..127 and 256 move to the ring).
  std::vector<std::string> want = {"299"};
  const auto add = [&](const std::vector<std::string>& part) { want.insert(want.end(), part.begin(), part.end()); };
  add(range(128, 183));
  add({"0"});
  add(range(184, 243));
  add({"1"});
  add(range(244, 255));
  add(range(257, 298));
  add(range(2, 127));
  add({"256"});
  CHECK(order([](auto& out) { spawn_all(out, 300); }) == want);
}

TEST_CASE("gmp: an idle P steals the older half of a local queue and runs the newest of it, runnext last (runqsteal)",
          "[gmp]") {
  // On P0 main spawns 0..3 (runnext 3, local [0 1 2]) and works 1ms. P1,
  // idle at 0, acts first: it grabs 3 - 3/2 = 2 (0 and 1), runs 1 and keeps
  // 0 in its own queue; then 0; then steals 2, the last of P0's queue; then
  // P0's runnext, 3 (stealWork()'s last round). On one P, no steal: runnext
  // first, then the local queue.
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    for (int i = 0; i < 4; ++i) {
      wg.add(1);
      gr::go([&, i] {
        out.push_back(std::to_string(i));
        wg.done();
      });
    }
    gr::work(std::chrono::milliseconds(1));
    wg.wait();
  };
  CHECK(on_procs(2, body) == words("1 0 2 3"));
  CHECK(on_procs(1, body) == words("3 0 1 2"));
}

TEST_CASE("gmp: a goroutine that holds its P for 10ms is preempted into the global queue (retake, forcePreemptNS)",
          "[gmp]") {
  // A inherits main's time slice (from runnext), which began at 0; its third
  // 4ms of work ends at 12ms, past 10ms: preempted at that scheduling point,
  // A waits in the global queue while B, in runnext, runs, at 12ms.
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    wg.add(2);
    gr::go([&] {
      gr::go([&] {
        out.push_back(at("B"));
        wg.done();
      });
      for (int i = 0; i < 3; ++i) {
        gr::work(std::chrono::milliseconds(4));
        out.push_back("A" + std::to_string(i));
      }
      wg.done();
    });
    wg.wait();
  };
  CHECK(on_procs(1, body) == words("A0 A1 B@12 A2"));
}

TEST_CASE("gmp: a timer fires once the earliest clock reaches it, on the P that set it; an idle P steals the woken",
          "[gmp]") {
  // main (P0) arms 1ms and waits for it; W, from runnext, works 3ms. On one
  // P the timer fires at 1ms into runnext, but main runs only once W is
  // done, at 3ms. On two, P1 (idle, its clock raised to 1ms by the wake)
  // steals main from P0's runnext and runs it at 1ms, before W's end.
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    gr::chan<gr::Time> timer = gr::after(std::chrono::milliseconds(1));
    wg.add(1);
    gr::go([&] {
      gr::work(std::chrono::milliseconds(3));
      out.push_back(at("W"));
      wg.done();
    });
    const gr::Time fired = timer.recv();
    CHECK(fired.time_since_epoch() == std::chrono::milliseconds(1));
    out.push_back(at("main"));
    wg.wait();
  };
  CHECK(on_procs(1, body) == words("W@3 main@3"));
  CHECK(on_procs(2, body) == words("main@1 W@3"));
}

TEST_CASE("gmp: a system call hands its P off, and comes back to an idle P or the global queue (entersyscallblock, "
          "handoffp, exitsyscall)",
          "[gmp]") {
  // S spawned last takes runnext and runs first. While it is in its 5ms
  // system call its P runs A; S is back at 5ms. Working 5ms instead, S
  // holds the P and A waits.
  const auto handoff = [](bool syscall) {
    return [syscall](std::vector<std::string>& out) {
      gr::WaitGroup wg;
      wg.add(2);
      gr::go([&] {
        out.push_back(at("A"));
        wg.done();
      });
      gr::go([&] {
        if (syscall) {
          gr::syscall(std::chrono::milliseconds(5));
        } else {
          gr::work(std::chrono::milliseconds(5));
        }
        out.push_back(at("S"));
        wg.done();
      });
      wg.wait();
    };
  };
  CHECK(on_procs(1, handoff(true)) == words("A@0 S@5"));
  CHECK(on_procs(1, handoff(false)) == words("S@5 A@5"));

  // S's 1ms system call ends while A works on the only P (B ran first, from
  // the local queue): no idle P, so S goes to the global queue, behind what
  // A then spawns (runnext D, local C). A sleeper woken there would take
  // runnext instead, and C would wait behind it.
  const auto busy = [](bool syscall) {
    return [syscall](std::vector<std::string>& out) {
      gr::WaitGroup wg;
      wg.add(5);
      const auto named = [&](std::string name) {
        return [&, name] {
          out.push_back(name);
          wg.done();
        };
      };
      gr::go(named("B"));
      gr::go([&] {
        gr::work(std::chrono::milliseconds(3));
        gr::go(named("C"));
        gr::go(named("D"));
        out.push_back("A");
        wg.done();
      });
      gr::go([&] {
        if (syscall) {
          gr::syscall(std::chrono::milliseconds(1));
        } else {
          gr::sleep(std::chrono::milliseconds(1));
        }
        out.push_back(at("S"));
        wg.done();
      });
      wg.wait();
    };
  };
  CHECK(on_procs(1, busy(true)) == words("B A D C S@3"));
  CHECK(on_procs(1, busy(false)) == words("B A D S@3 C"));
  // Without Go's scheduler a system call is a sleep of its length.
  std::vector<std::string> out;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  REQUIRE(gr::run([&] { handoff(true)(out); }, o).ok());
  CHECK(out == words("A@0 S@5"));
}

TEST_CASE("gmp: each event records its P and its M; a system call's M keeps its goroutine while the P goes on "
          "with a new M, and takes the P back (handoffp, exitsyscallfast)",
          "[gmp]") {
  // Main spawns A, then S (runnext), and waits: S runs on P0 and M0, and its
  // system call keeps M0 while P0 runs A on a new M, M1. At 5ms S's M0 takes
  // the idle P0 back (M1 goes idle), and S wakes main there.
  const auto program = [] {
    gr::WaitGroup wg;
    wg.add(2);
    gr::go([&] { wg.done(); });
    gr::go([&] {
      gr::syscall(std::chrono::milliseconds(5));
      wg.done();
    });
    wg.wait();
  };
  const auto switches = [&](gr::RunOptions o) {
    gr::test::EventLog log;
    o.strategy = gr::make_strategy("fifo");
    o.observers = {&log};
    REQUIRE(gr::run(program, o).ok());
    std::vector<std::string> out;
    for (const gr::test::Recorded& e : log.events)
      if (e.kind == gr::EventKind::Switch)
        out.push_back("g" + std::to_string(e.gid) + "@P" + std::to_string(e.p) + "M" + std::to_string(e.m));
    return std::pair(out, log.events);
  };
  gr::RunOptions one;
  one.procs = 1;
  const auto [on_one, events] = switches(one);
  CHECK(on_one == words("g1@P0M0 g3@P0M0 g2@P0M1 g3@P0M0 g1@P0M0"));
  for (const gr::test::Recorded& e : events) CHECK(e.p == 0);
  // In gorewind's own model there are no Ps and no Ms.
  const auto [own, own_events] = switches(gr::RunOptions{});
  REQUIRE(!own.empty());
  for (const gr::test::Recorded& e : own_events) CHECK((e.p == -1 && e.m == -1));
}

TEST_CASE("gmp: the scheduler at a seq: each P's queues, tick and clock, each M, the global queue, each G's "
          "place (GmpTracker)",
          "[gmp]") {
  // Main spawns A, B and S and waits; S's 5ms system call hands P0 to M1.
  const auto program = [] {
    gr::WaitGroup wg;
    wg.add(3);
    gr::go([&] { wg.done(); });
    gr::go([&] { wg.done(); });
    gr::go([&] {
      gr::syscall(std::chrono::milliseconds(5));
      wg.done();
    });
    wg.wait();
  };
  gr::RunOptions o;
  o.procs = 1;
  o.strategy = gr::make_strategy("fifo");
  gr::test::EventLog log;
  o.observers = {&log};
  REQUIRE(gr::run(program, o).ok());
  // The seqs of the first switch to A (g2), on M1 while S is in its call,
  // and of the last Spawn, S's.
  std::uint64_t switch_a = 0, spawn_s = 0;
  for (const gr::test::Recorded& e : log.events) {
    if (e.kind == gr::EventKind::Switch && e.gid == 2 && switch_a == 0) switch_a = e.seq;
    if (e.kind == gr::EventKind::Spawn && e.peer == 4) spawn_s = e.seq;
  }
  REQUIRE(switch_a != 0);
  REQUIRE(spawn_s != 0);
  const auto at = [&](std::uint64_t seq) {
    gr::GmpTracker tracker(seq);
    gr::RunOptions again = o;
    again.observers = {&tracker};
    REQUIRE(gr::run(program, again).ok());
    REQUIRE(tracker.state());
    return *tracker.state();
  };
  // Right after S's spawn: S holds runnext, which it took from B, who went
  // to the local queue behind A; main runs on P0 and M0.
  const gr::GmpState spawned = at(spawn_s);
  CHECK(spawned.seq == spawn_s);
  REQUIRE(spawned.procs.size() == 1);
  CHECK(spawned.procs[0].curg == 1);
  CHECK(spawned.procs[0].m == 0);
  CHECK(spawned.procs[0].runnext == 4);
  CHECK(spawned.procs[0].runq == std::vector<gr::Gid>{2, 3});
  CHECK(spawned.machines == std::vector<gr::MachineState>{{0, 0, 1}});
  CHECK(spawned.global.empty());
  REQUIRE(spawned.goroutines.size() == 4);
  CHECK(spawned.goroutines[0].gid == 1);
  CHECK(spawned.goroutines[0].gopc.empty());
  CHECK(spawned.goroutines[0].m == 0);
  CHECK(spawned.goroutines[0].last_p == 0);
  CHECK(spawned.goroutines[3].gid == 4);
  CHECK(gr::test::contains(spawned.goroutines[3].gopc, "test_gmp.cpp:"));
  CHECK(spawned.goroutines[3].startpc.empty());  // not run yet
  CHECK(spawned.goroutines[3].m == -1);
  CHECK(spawned.goroutines[3].last_p == -1);
  // When A first runs: S ran, took P0's runnext (a new time slice keeps
  // schedtick), and is in its call on M0 with no P; P0 runs A on M1, and
  // B waits in the local queue.
  const gr::GmpState handed = at(switch_a);
  REQUIRE(handed.procs.size() == 1);
  CHECK(handed.procs[0].curg == 2);
  CHECK(handed.procs[0].m == 1);
  CHECK(handed.procs[0].runnext == 0);
  CHECK(handed.procs[0].runq == std::vector<gr::Gid>{3});
  CHECK(handed.procs[0].schedtick == spawned.procs[0].schedtick + 1);
  CHECK(handed.machines == std::vector<gr::MachineState>{{0, -1, 4}, {1, 0, 2}});
  REQUIRE(handed.goroutines.size() == 4);
  CHECK(handed.goroutines[1].gid == 2);
  CHECK(handed.goroutines[1].m == 1);
  CHECK(handed.goroutines[3].m == 0);  // in its system call
  CHECK(handed.goroutines[3].last_p == 0);
  CHECK(gr::test::contains(handed.goroutines[3].startpc, "lambda"));
  // Before the first event, P0 is idle on M0 with nothing queued.
  const gr::GmpState start = at(0);
  CHECK(start.procs == std::vector<gr::ProcState>{{0, 0, 0, 0, {}, start.procs.at(0).schedtick, 0}});
  CHECK(start.goroutines.empty());
  // In gorewind's own model there is no scheduler to show.
  gr::GmpTracker own(spawn_s);
  gr::RunOptions plain;
  plain.observers = {&own};
  REQUIRE(gr::run(program, plain).ok());
  REQUIRE(own.state());
  CHECK(own.state()->procs.empty());
  CHECK(own.state()->machines.empty());
}

TEST_CASE("gmp: scheduling latency runs from the event that made a goroutine runnable to the switch that ran it "
          "(the sched_latency view)",
          "[gmp]") {
  // Main spawns A, then B (runnext), and works 3ms before it waits: B runs
  // at 3ms and works 1ms, then A, from the local queue, at 4ms, whose done
  // wakes main, which runs at once.
  gr::test::TempDir dir;
  const std::string db = dir.file("l.db");
  {
    gr::record::Recorder recorder(db);
    gr::RunOptions o;
    o.procs = 1;
    o.observers = {&recorder};
    const gr::RunResult r = gr::run(
        [] {
          gr::WaitGroup wg;
          wg.add(2);
          gr::go([&] { wg.done(); });
          gr::go([&] {
            gr::work(std::chrono::milliseconds(1));
            wg.done();
          });
          gr::work(std::chrono::milliseconds(3));
          wg.wait();
        },
        o);
    REQUIRE(r.ok());
    recorder.finish();
  }
  gr::storage::EventLogReader log(db);
  std::vector<std::string> rows;
  for (const gr::storage::LatencyRow& l : log.sched_latencies(1, log.run(1).events))
    rows.push_back("g" + std::to_string(l.gid) + " " + l.became + " P" + std::to_string(l.p) + " M" +
                   std::to_string(l.m) + " " + std::to_string(l.latency_ns / 1'000'000) + "ms" +
                   (l.site.empty() ? "" : " spawned"));
  CHECK(rows == std::vector<std::string>{"g1 spawn P0 M0 0ms", "g3 spawn P0 M0 3ms spawned",
                                         "g2 spawn P0 M0 4ms spawned", "g1 wake P0 M0 0ms"});
  // Up to a seq, the latencies that ended by it.
  CHECK(log.sched_latencies(1, 2).size() == 1);
}

TEST_CASE("gmp: each event costs its P cpu_cost_ns, and the run's time is the latest clock", "[gmp]") {
  gr::RunOptions o;
  o.procs = 2;
  o.cpu_cost_ns = 1000;
  o.strategy = gr::make_strategy("fifo");
  std::vector<std::int64_t> clocks;
  const gr::RunResult r = gr::run(
      [&] {
        clocks.push_back(gr::now().time_since_epoch().count());
        gr::yield();
        clocks.push_back(gr::now().time_since_epoch().count());
      },
      o);
  REQUIRE(r.ok());
  // Before main's first line its Switch (its Spawn is the runtime's, free);
  // then its Yield, and main's Switch again: P0, fifo's choice at the tie
  // with P1, which the yield's wake raised to 2000, takes it from the
  // global queue (execute()).
  CHECK(clocks == std::vector<std::int64_t>{1000, 3000});
  CHECK(r.vtime_ns == 4000);  // and main's Exit
}

TEST_CASE("gmp: with several Ps a seed gives one schedule, and the seeds give several", "[gmp]") {
  const auto body = [](std::vector<std::string>& out) {
    gr::WaitGroup wg;
    gr::chan<int> ch(1);
    for (int i = 0; i < 4; ++i) {
      wg.add(1);
      gr::go([&, i] {
        ch.send(i);
        out.push_back(std::to_string(i) + ":" + std::to_string(ch.recv()));
        wg.done();
      });
    }
    wg.wait();
  };
  std::set<std::vector<std::string>> seen;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    gr::RunOptions o;
    o.procs = 4;
    o.seed = seed;
    std::vector<std::string> first;
    std::vector<std::string> second;
    gr::TraceHasher a;
    gr::TraceHasher b;
    o.observers = {&a};
    REQUIRE(gr::run([&] { body(first); }, o).ok());
    o.observers = {&b};
    REQUIRE(gr::run([&] { body(second); }, o).ok());
    CHECK(first == second);
    CHECK(a.hash() == b.hash());
    seen.insert(first);
  }
  CHECK(seen.size() > 3);
}

TEST_CASE("gmp: on four Ps explore still finds the scenarios' and the deep-bug corpus's bugs; dpor refuses more "
          "than one P",
          "[gmp]") {
  std::vector<const gr::Scenario*> bugs = {gr::find_scenario("flaky_order"), gr::find_scenario("dining_philosophers"),
                                           gr::find_scenario("rw_recursive")};
  for (const gr::Scenario* s : gr::scenarios())
    if (!s->origin.empty() && !s->name.ends_with("_fixed")) bugs.push_back(s);
  REQUIRE(bugs.size() > 10);
  for (const gr::Scenario* s : bugs) {
    INFO(s->name);
    gr::ExploreOptions e;
    e.strategy = "random";
    // etcd_7443 is the deepest: its first failing seed on four Ps is 11,818.
    e.runs = 12000;
    e.run.procs = 4;
    CHECK_FALSE(gr::explore(s->body, e).ok());
  }
  gr::RunOptions o;
  o.procs = 2;
  o.strategy = gr::make_strategy("dpor");
  CHECK_THROWS_WITH(gr::run([] {}, o), Catch::Contains("dpor steers at most 1 P, not 2"));
  gr::ExploreOptions e;
  e.strategy = "dpor";
  e.run.procs = 2;
  CHECK_THROWS_WITH(gr::explore([] {}, e), Catch::Contains("dpor steers at most 1 P, not 2"));
}

TEST_CASE("gmp: runs on four Ps replay identically, 12 seeds of every scenario, the log keeping procs and the cost",
          "[gmp]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  gr::record::Recorder::Config config;
  config.snapshot_every = 0;
  config.writer.threading = gr::storage::EventLogWriter::Threading::Synchronous;
  for (const gr::Scenario* sc : gr::test::in_process_scenarios()) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      INFO("scenario " << sc->name << ", seed " << seed);
      gr::RunOptions o;
      o.seed = seed;
      o.scenario = sc->name;
      o.procs = 4;
      o.cpu_cost_ns = seed % 2 == 0 ? 0 : 300;
      o.strategy = gr::make_strategy(seed % 3 == 0 ? "pct" : "random");
      const std::int64_t run = gr::record::record_run(sc->body, o, db, config).recorded.id;
      gr::storage::EventLogReader log(db);
      const gr::replay::ReplayResult r = gr::replay::replay_run(sc->body, log, run);
      CHECK(r.recorded.procs == 4);
      CHECK(r.recorded.cpu_cost_ns == o.cpu_cost_ns);
      REQUIRE(r.identical());
      CHECK(r.result.events == r.recorded.events);
      CHECK(r.result.vtime_ns == r.recorded.vtime_ns);
      CHECK_FALSE(r.script_left);
    }
  }
}

TEST_CASE("gmp: record, runs, replay and explore take --procs and --cpu-cost; explore's run line keeps them",
          "[gmp]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("p.db");
  const gr::test::Cli rec =
      gr::test::cli(dir, {"record", "flaky_order", "--procs", "4", "--cpu-cost", "50", "--seed", "5", "--db", db});
  REQUIRE(rec.code == 0);
  const gr::test::Cli runs = gr::test::cli(dir, {"runs", "--json", "--db", db});
  CHECK(gr::test::contains(runs.out, "\"procs\":4,\"cpu_cost_ns\":50}"));
  const gr::test::Cli rep = gr::test::cli(dir, {"replay", "1", "--db", db});
  CHECK(rep.code == 0);
  CHECK(gr::test::contains(rep.out, "replayed run 1: identical"));
  // Main's first turn, on P0 and its M0, in show's words and in its JSON.
  const gr::test::Cli show = gr::test::cli(dir, {"show", "1", "--db", db});
  CHECK(gr::test::contains(show.out, "switch         on P0 M0"));
  const gr::test::Cli json = gr::test::cli(dir, {"show", "1", "--json", "--db", db});
  CHECK(gr::test::contains(json.out, "\"kind\":\"switch\""));
  CHECK(gr::test::contains(json.out, "\"p\":0,\"m\":0}"));
  const gr::test::Cli found =
      gr::test::cli(dir, {"explore", "flaky_order", "--procs", "4", "--strategy", "random", "--db", db});
  CHECK(found.code == 1);
  const std::size_t at = found.out.find("run:    ");
  REQUIRE(at != std::string::npos);
  const std::string line = found.out.substr(at + 8, found.out.find('\n', at) - at - 8);
  CHECK(gr::test::contains(line, " --procs 4"));
  // That line, run, fails the same way.
  const gr::test::ShellRun again = gr::test::run_shell(line);
  CHECK(again.code == 1 << 8);  // exited 1
  CHECK(gr::test::contains(again.out, "check_failed  flaky_order"));
  const gr::test::Cli dpor = gr::test::cli(dir, {"explore", "flaky_order", "--procs", "2", "--strategy", "dpor"});
  CHECK(dpor.code == 2);
  CHECK(dpor.err == std::vector<std::string>{"gorewind: error: --procs: dpor steers at most 1 P, not 2 (with more, "
                                             "Go's run queues restrict which goroutines may run, which its "
                                             "dependence relation does not model)"});
}

TEST_CASE("gmp: state --at shows the scheduler there, --json carries it, --vs and diff compare it", "[gmp]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("s.db");
  REQUIRE(gr::test::cli(dir, {"record", "flaky_order", "--procs", "2", "--seed", "3", "--db", db}).code == 0);
  // Seq 8: the loader yields on P0 while main, on P1, waits for P0's turn.
  const gr::test::Cli text = gr::test::cli(dir, {"state", "1", "--at", "8", "--db", db});
  REQUIRE(text.code == 0);
  CHECK(gr::test::contains(text.out, "\nscheduler: gomaxprocs=2 idleprocs=0 threads=2 spinningthreads=0 "
                                     "idlethreads=0 runqueue=0 []\n"
                                     "  P0: status=running m=0 curg=g2 runnext=- runqsize=0 [] schedtick=6 clock=0s\n"
                                     "  P1: status=running m=1 curg=g1 runnext=- runqsize=0 [] schedtick=1 clock=0s\n"
                                     "  M0: p=0 curg=g2\n"
                                     "  M1: p=1 curg=g1\n"
                                     "  G1: m=1 lastp=1 gopc=- startpc=void gorewind_scenario_body_0()\n"
                                     "  G2: m=0 lastp=0 gopc=scenarios/flaky_order.cpp:34 startpc="));
  const gr::test::Cli json = gr::test::cli(dir, {"state", "1", "--at", "13", "--json", "--db", db});
  REQUIRE(json.code == 0);
  // Seq 13: the loader yielded into the global queue, and main spawned the
  // handler into P1's runnext and parks.
  CHECK(gr::test::contains(json.out, "\"gmp\":{\"gomaxprocs\":2,\"procs\":[{\"id\":0,\"status\":\"scheduling\",\"m\":0,"
                                     "\"curg\":0,\"runnext\":0,\"runq\":[],\"schedtick\":7,\"clock_ns\":0},"
                                     "{\"id\":1,\"status\":\"running\",\"m\":1,\"curg\":1,\"runnext\":3,"
                                     "\"runq\":[],\"schedtick\":1,\"clock_ns\":0}],"));
  CHECK(gr::test::contains(json.out, "\"machines\":[{\"id\":0,\"p\":0,\"curg\":0,\"status\":\"spinning\"},"
                                     "{\"id\":1,\"p\":1,\"curg\":1,\"status\":\"running\"}],\"global_queue\":[2],"));
  const gr::test::Cli vs = gr::test::cli(dir, {"state", "1", "--at", "8", "--vs", "1", "--at2", "13", "--db", db});
  CHECK(vs.code == 1);
  CHECK(gr::test::contains(vs.out, "* global queue          runq []"));
  CHECK(gr::test::contains(vs.out, "runq [g2]\n"));
  CHECK(gr::test::contains(vs.out, "* P1                    curg g1  m 1  runnext -  runq []  schedtick 1  clock_ns 0"));
  // A run of gorewind's own model has none.
  REQUIRE(gr::test::cli(dir, {"record", "flaky_order", "--seed", "3", "--db", db}).code == 0);
  const gr::test::Cli own = gr::test::cli(dir, {"state", "2", "--at", "8", "--json", "--db", db});
  CHECK(gr::test::contains(own.out, ",\"gmp\":null}"));
  CHECK(!gr::test::contains(gr::test::cli(dir, {"state", "2", "--at", "8", "--db", db}).out, "scheduler:"));
  // diff of two seeds on two Ps compares the schedulers where they diverge.
  REQUIRE(gr::test::cli(dir, {"record", "flaky_order", "--procs", "2", "--seed", "4", "--db", db}).code == 0);
  const gr::test::Cli d = gr::test::cli(dir, {"diff", "1", "3", "--json", "--db", db});
  CHECK(d.code == 1);
  CHECK(gr::test::contains(d.out, "\"state_a\":{"));
  CHECK(gr::test::contains(d.out, "\"gmp\":{\"gomaxprocs\":2"));
  CHECK(gr::test::contains(d.out, "\"kind\":\"p\",\"identity\":\"P"));
}

TEST_CASE("gmp: runq_backlog on four Ps: handlers pile up in one P's local queue and wait longer and longer; "
          "profile --kind schedlatency, the state and the Perfetto tracks per P show it",
          "[gmp]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("b.db");
  const gr::test::Cli rec = gr::test::cli(dir, {"record", "runq_backlog", "--procs", "4", "--db", db});
  CHECK(rec.code == 1);
  CHECK(gr::test::contains(rec.out, "run 1: check_failed (170 events)"));
  CHECK(gr::test::contains(gr::test::cli(dir, {"runs", "--json", "--db", db}).out,
                           "\"message\":\"handler 4 waited 20ms for its P\""));
  // The dispatcher holds P2 until it is preempted, having started a handler
  // every 1ms: the last (in runnext) runs first, 1ms later, then the others
  // in the order they came, 3ms each: each waited 2ms more than the one
  // before, until the fifth waited 20ms.
  {
    gr::storage::EventLogReader log(db);
    std::vector<std::int64_t> waits;
    for (const gr::storage::LatencyRow& l : log.sched_latencies(1, log.run(1).events))
      if (l.p == 2 && l.became == "spawn" && l.gid > 5) waits.push_back(l.latency_ns / 1'000'000);
    CHECK(waits == std::vector<std::int64_t>{1, 12, 14, 16, 18, 20});
  }
  const gr::test::Cli profile =
      gr::test::cli(dir, {"profile", "1", "--kind", "schedlatency", "--json", "--db", db});
  REQUIRE(profile.code == 0);
  CHECK(gr::test::contains(profile.out, "\"rows\":[{\"count\":6,\"total_ns\":81000000,\"max_ns\":20000000,"
                                        "\"p50_ns\":14000000,\"p99_ns\":20000000,\"zero\":0,\"under_1ms\":0,"
                                        "\"under_10ms\":1,\"under_100ms\":5,\"at_least_100ms\":0,\"p\":\"P2\","
                                        "\"site\":\"scenarios/runq_backlog.cpp:"));
  // At the failure P2 runs the handler that waited, three more behind it.
  const gr::test::Cli state = gr::test::cli(dir, {"state", "1", "--at", "170", "--db", db});
  CHECK(gr::test::contains(state.out, "  P2: status=running m=2 curg=g10 runnext=- runqsize=3 [g11 g12 g13] "));
  const gr::test::Cli trace = gr::test::cli(dir, {"export", "1", "--format", "chrome", "--db", db});
  REQUIRE(trace.code == 0);
  CHECK(gr::test::contains(trace.out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":2,\"tid\":0,"
                                      "\"args\":{\"name\":\"Ps (GOMAXPROCS=4)\"}}"));
  CHECK(gr::test::contains(trace.out, "{\"ph\":\"X\",\"cat\":\"proc\",\"name\":\"g10 handler\",\"pid\":2,"
                                      "\"tid\":2,"));
  CHECK(gr::test::contains(trace.out, "{\"ph\":\"C\",\"name\":\"P2 runq\",\"pid\":2,\"tid\":2,"));
  // Handlers shorter than the interval keep up.
  CHECK(gr::test::cli(dir, {"run", "runq_backlog", "--procs", "4", "--param", "service_us=900"}).code == 0);
  CHECK(gr::test::cli(dir, {"profile", "1", "--kind", "schedlatency", "--format", "pprof", "-o", dir.file("x.pb.gz"),
                            "--db", db})
            .err == std::vector<std::string>{"gorewind: error: --kind schedlatency prints a table: leave out "
                                             "--format pprof"});
}

TEST_CASE("gmp: the debugger's threads are the Ms with their P and goroutine; conditions read p and m", "[gmp]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("d.db");
  REQUIRE(gr::test::cli(dir, {"record", "flaky_order", "--procs", "2", "--seed", "3", "--db", db}).code == 0);
  // Seq 8: the loader yields on P0 (M0) while main waits for P1's turn;
  // then the first of main's events on M1 after it.
  const std::string script = dir.file("script");
  std::ofstream(script) << "goto 8\nthreads\nbreak if m == 1 and seq > 8\ncontinue\ndelete 1\n"
                            "break scenarios/flaky_order.cpp:35 thread 1\ncontinue\ninfo breakpoints\n"
                            "break yield -t M0\nbreak yield thread x\n";
  const gr::test::Cli d = gr::test::cli(dir, {"debug", "1", "--db", db}, script);
  REQUIRE(d.code == 0);
  CHECK(gr::test::contains(d.out, "* Thread M0 on P0 running g2 loader at scenarios/flaky_order.cpp:35\n"
                                  "  Thread M1 on P1 running g1 main at scenarios/flaky_order.cpp:34\n"));
  CHECK(gr::test::contains(d.out, "11  0s      g1 main     switch         on P1 M1"));
  // Before its first goroutine runs, P0's M looks for work: spinning, as
  // state's scheduler says of it, and the others idle.
  std::ofstream(script) << "goto 1\nthreads\n";
  const gr::test::Cli first = gr::test::cli(dir, {"debug", "1", "--db", db}, script);
  const gr::test::Cli state = gr::test::cli(dir, {"state", "1", "--at", "1", "--db", db});
  CHECK(gr::test::contains(first.out, "  Thread M0 on P0 spinning\n  Thread M1 on P1 idle\n"));
  CHECK(gr::test::contains(state.out, "  M0: p=0 curg=- (spinning)\n  M1: p=1 curg=- (idle)\n"));
  // thread N (gdb's) or -t N: the events on M N; the loader's first at
  // its line on M1 is where P1 takes it from the global queue.
  const std::size_t at = d.out.find("breakpoint 2: scenarios/flaky_order.cpp:35 thread 1\n");
  REQUIRE(at != std::string::npos);
  CHECK(gr::test::contains(d.out.substr(at),
                           "\n18  0s      g2 loader   switch         on P1 M1  at scenarios/flaky_order.cpp:35\n"));
  CHECK(gr::test::contains(d.out, "breakpoint 3: yield -t M0\n"));
  CHECK(gr::test::contains(d.out, "break: 'x' is not an M (N or MN)\n"));
}

TEST_CASE("gmp: run --procs 1 gives one order whatever the seed; --procs takes 0 to 256, else one line and exit 2",
          "[gmp]") {
  gr::test::TempDir dir;
  const gr::test::Cli one = gr::test::cli(dir, {"run", "run_order", "--procs", "1", "--seed", "1"});
  const gr::test::Cli other = gr::test::cli(dir, {"run", "run_order", "--procs", "1", "--seed", "8"});
  REQUIRE(one.code == 0);
  CHECK(gr::test::contains(one.out, "spawn: C A B\nwake: B1 B2 main A\ngosched: C1 A B C2\n"));
  const auto trace = [](const std::string& out) { return out.substr(out.find(" trace=")); };
  CHECK(trace(one.out) == trace(other.out));
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--procs", "257"}, {"--procs", "x"}, {"--procs", "-1"}, {"--cpu-cost", "5"},
        {"--procs", "2", "--cpu-cost", "-5"}}) {
    INFO(bad[0] << " " << bad[1]);
    std::vector<std::string> args = {"run", "run_order"};
    args.insert(args.end(), bad.begin(), bad.end());
    const gr::test::Cli r = gr::test::cli(dir, args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    REQUIRE(r.err.size() == 1);
    CHECK(gr::test::contains(r.err[0], bad.size() == 4 ? "--cpu-cost" : bad[0]));
  }
  gr::RunOptions o;
  o.procs = 257;
  CHECK_THROWS_AS(gr::run([] {}, o), gr::Error);
  o.procs = 0;
  o.cpu_cost_ns = 10;
  CHECK_THROWS_AS(gr::run([] {}, o), gr::Error);
}

TEST_CASE("gmp: --procs 1 prints the orders Go 1.19 prints with GOMAXPROCS=1", "[gmpgo]") {
  gr::test::TempDir dir;
  const gr::test::Cli ours = gr::test::cli(dir, {"run", "run_order", "--procs", "1"});
  REQUIRE(ours.code == 0);
  // Go's own, built and run here (GOCACHE in the temporary folder: a CI
  // machine's HOME may be unset or read-only).
  const std::string command = "cd " + dir.file(".") + " && GOCACHE=" + dir.file("gocache") +
                              " GOMAXPROCS=1 go run " + GOREWIND_SOURCE_DIR + "/bench/go/run_order/main.go";
  const gr::test::ShellRun run = gr::test::run_shell(command);
  REQUIRE(run.code == 0);
  const std::string& go = run.out;
  CHECK(go == "spawn: C A B\nwake: B1 B2 main A\ngosched: C1 A B C2\n");
  CHECK(ours.out.substr(0, go.size()) == go);
}
