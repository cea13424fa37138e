// test_gmp.cpp: Go's scheduler on one P (RunOptions::procs, `--procs 1`).
// Each placement rule of Go 1.19's src/runtime/proc.go is pinned by a small
// program whose order is derived by hand from it; scenario run_order's
// orders are the ones Go itself prints (label go).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <utility>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

#include "cli_support.hpp"

namespace gr = gorewind;

namespace {

// order() runs body on one P (under any strategy: the run queues decide)
// and returns the names its goroutines added to the order, in turn.
std::vector<std::string> order(const std::function<void(std::vector<std::string>&)>& body, std::uint64_t seed = 1) {
  std::vector<std::string> out;
  gr::RunOptions o;
  o.procs = 1;
  o.seed = seed;
  const gr::RunResult r = gr::run([&] { body(out); }, o);
  REQUIRE(r.ok());
  return out;
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

TEST_CASE("gmp: run --procs 1 gives one order whatever the seed; --procs takes 0 or 1, else one line and exit 2",
          "[gmp]") {
  gr::test::TempDir dir;
  const gr::test::Cli one = gr::test::cli(dir, {"run", "run_order", "--procs", "1", "--seed", "1"});
  const gr::test::Cli other = gr::test::cli(dir, {"run", "run_order", "--procs", "1", "--seed", "8"});
  REQUIRE(one.code == 0);
  CHECK(gr::test::contains(one.out, "spawn: C A B\nwake: B1 B2 main A\ngosched: C1 A B C2\n"));
  const auto trace = [](const std::string& out) { return out.substr(out.find(" trace=")); };
  CHECK(trace(one.out) == trace(other.out));
  for (const char* bad : {"2", "x", "-1"}) {
    INFO(bad);
    const gr::test::Cli r = gr::test::cli(dir, {"run", "run_order", "--procs", bad});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    REQUIRE(r.err.size() == 1);
    CHECK(gr::test::contains(r.err[0], "--procs"));
  }
  gr::RunOptions o;
  o.procs = 2;
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
