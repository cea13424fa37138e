// test_gmp.cpp: Go's scheduler (RunOptions::procs, `--procs N`). Each
// placement rule of Go 1.19's src/runtime/proc.go, and each rule of the Ps'
// virtual clocks, is pinned by a small program whose order is derived by
// hand from it; scenario run_order's orders are the ones Go itself prints
// under one P (label go).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/record_run.hpp>
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
  // then its Yield, and main again (no Switch: P0, fifo's choice at the tie
  // with P1, which the yield's wake raised to 2000, takes it from the global
  // queue).
  CHECK(clocks == std::vector<std::int64_t>{1000, 2000});
  CHECK(r.vtime_ns == 3000);  // and main's Exit
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
