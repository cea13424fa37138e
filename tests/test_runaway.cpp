// test_runaway.cpp: what the scheduler cannot stop at a scheduling point.
//
// - A goroutine that overflows its stack hits its guard page; the run ends
//   with a "stack overflow" panic naming it (also with 100,000 goroutines
//   parked), the goroutine is abandoned, and the next run works normally:
//   the SIGSEGV handler and alternate stack from before the run are back.
// - RunOptions::max_steps ends a livelock with the step_limit outcome.
// - RunOptions::timeout stops a goroutine that never reaches a scheduling
//   point (and a run that is merely too slow) with the timeout outcome.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/record/record_run.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "../scheduler/stack_pool.hpp"
#include "log_support.hpp"
#include "support.hpp"

namespace gr = gorewind;

namespace {

constexpr const char* kThisFile = "tests/test_runaway.cpp";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// deep() recurses until the stack runs out; the volatile frame keeps the
// compiler from turning it into a loop.
__attribute__((noinline)) int deep(int n) {
  volatile char frame[256];
  frame[0] = static_cast<char>(n);
  if (n == -1) return 0;  // never: the stack overflows long before n wraps
  return deep(n + 1) + frame[0];
}

volatile std::uint64_t g_sink = 0;

// Only the tests the sanitizer build leaves out (below, in the same
// #ifndef) use these.
TEST_CASE("runaway: from a pool's second slab on, each stack's top page is resident before it is used", "[traps]") {
  gr::detail::StackPool pool(64 * 1024);
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  auto resident = [&](void* base, std::size_t from_top) {
    unsigned char in = 0;
    char* p = static_cast<char*>(base) + pool.size() - from_top * page;
    REQUIRE(mincore(p, page, &in) == 0);
    return (in & 1) != 0;
  };
  std::vector<void*> first;
  for (int i = 0; i < 64; ++i) first.push_back(pool.acquire());
  void* second = pool.acquire();  // the first stack of the second slab
  // A program with a few goroutines keeps no more pages than it uses.
  CHECK_FALSE(resident(first.back(), 1));
  if (!gr::detail::StackPool::populates()) {
    WARN("this kernel does not let the pool populate stacks");
    return;
  }
  CHECK(resident(second, 1));
  CHECK_FALSE(resident(second, 2));
  for (void* s : first) pool.release(s);
  pool.release(second);
}

#ifndef GOREWIND_SANITIZE
// spin() never reaches a scheduling point.
void spin() {
  for (;;) g_sink = g_sink + 1;
}

// A handler's identity, to check that a run gives back what it found.
struct Disposition {
  void* handler;
  int flags;
  bool operator==(const Disposition&) const = default;
};
Disposition disposition(int sig) {
  struct sigaction sa {};
  sigaction(sig, nullptr, &sa);
  return {(sa.sa_flags & SA_SIGINFO) ? reinterpret_cast<void*>(sa.sa_sigaction) : reinterpret_cast<void*>(sa.sa_handler),
          sa.sa_flags & (SA_SIGINFO | SA_ONSTACK)};
}
struct AltStack {
  void* sp;
  std::size_t size;
  int flags;
  bool operator==(const AltStack&) const = default;
};
AltStack altstack() {
  stack_t ss{};
  sigaltstack(nullptr, &ss);
  return {ss.ss_sp, ss.ss_size, ss.ss_flags};
}
#endif  // GOREWIND_SANITIZE

// normal_run() is a small program that must still run fine afterwards.
gr::RunResult normal_run(std::uint64_t seed = 1) {
  gr::RunOptions o;
  o.seed = seed;
  return gr::run(
      [] {
        gr::chan<int> c(0, "c");
        gr::WaitGroup wg;
        for (int i = 0; i < 20; ++i) {
          wg.add(1);
          gr::go([&, i] {
            c.send(i);
            wg.done();
          });
        }
        int sum = 0;
        for (int i = 0; i < 20; ++i) sum += c.recv();
        wg.wait();
        gr::check(sum == 190, "sum");
      },
      o);
}

// Counts destructor runs of goroutines torn down after the run ended.
struct Live {
  std::atomic<int>* n;
  explicit Live(std::atomic<int>* c) : n(c) {}
  ~Live() { ++*n; }
};

}  // namespace

TEST_CASE("runaway: the stack guard mode is one of three and says what is in use", "[traps]") {
  const std::string mode(gr::stack_guard_mode());
  CHECK((mode == "madvise-guard" || mode == "mprotect" || mode == "none"));
}

#ifndef GOREWIND_SANITIZE

TEST_CASE("runaway: a stack overflow ends the run with a panic naming the goroutine", "[traps]") {
  if (gr::stack_guard_mode() == std::string_view("none")) {
    WARN("stacks have no guard page here");
    return;
  }
  const Disposition segv_before = disposition(SIGSEGV);
  const AltStack alt_before = altstack();
  std::atomic<int> torn_down{0};
  gr::test::EventLog log;
  gr::RunOptions o;
  o.strategy = std::make_shared<gr::FifoStrategy>();
  o.observers = {&log};
  const gr::RunResult r = gr::run(
      [&] {
        gr::chan<int> never(0, "never");
        gr::go([&] {
          Live l(&torn_down);
          never.recv();  // parked when the overflow happens
        }, "bystander");
        gr::yield();
        gr::go([&] {
          gr::yield();          // its last scheduling point: the reported site
          g_sink = deep(0);
        }, "recurser");
        never.recv();
      },
      o);
  CHECK(r.outcome == gr::Outcome::Panic);
  CHECK(contains(r.message, "stack overflow"));
  CHECK(r.message == "fatal error: stack overflow (goroutine stack exceeds 262144-byte limit)");
  CHECK(r.goroutine == 3);
  CHECK(r.goroutine_name == "recurser");
  CHECK(r.site.file == kThisFile);
  CHECK(torn_down == 1);  // the others are torn down as usual
  REQUIRE(!log.events.empty());
  CHECK(log.events.back().kind == gr::EventKind::Panic);
  CHECK(log.events.back().gid == 3);
  CHECK(r.events == log.events.back().seq);
  // Everything is as it was, and the next runs are normal.
  CHECK(disposition(SIGSEGV) == segv_before);
  CHECK(altstack() == alt_before);
  for (std::uint64_t seed = 1; seed <= 50; ++seed) REQUIRE(normal_run(seed).ok());
}

TEST_CASE("runaway: a stack overflow in main, twice in a row, and under every strategy", "[traps]") {
  if (gr::stack_guard_mode() == std::string_view("none")) {
    WARN("stacks have no guard page here");
    return;
  }
  for (int round = 0; round < 3; ++round) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      gr::RunOptions o;
      o.seed = seed;
      o.stack_size = 64 * 1024;
      const gr::RunResult r = gr::run([] { g_sink = deep(0); }, o);
      CHECK(r.outcome == gr::Outcome::Panic);
      CHECK(r.message == "fatal error: stack overflow (goroutine stack exceeds 65536-byte limit)");
      CHECK(r.goroutine == 1);
      CHECK(r.goroutine_name == "main");
    }
    REQUIRE(normal_run().ok());
  }
}

TEST_CASE("runaway: a stack overflow inside a Catch2 test case is recorded whole", "[traps]") {
  // Catch2 has its own SIGSEGV handler and alternate stack around this test
  // case; the runtime's stand in for them during the run, and the log is
  // written after the handler has returned, by the recorder as usual.
  if (gr::stack_guard_mode() == std::string_view("none")) {
    WARN("stacks have no guard page here");
    return;
  }
  const Disposition segv_before = disposition(SIGSEGV);
  const AltStack alt_before = altstack();
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  gr::RunOptions o;
  o.stack_size = 64 * 1024;
  const gr::record::RecordResult rec = gr::record::record_run([] { g_sink = deep(0); }, o, db);
  CHECK(rec.result.outcome == gr::Outcome::Panic);
  CHECK(disposition(SIGSEGV) == segv_before);
  CHECK(altstack() == alt_before);
  gr::storage::EventLogReader log(db);
  const gr::storage::RunRow run = log.run(rec.recorded.id);
  CHECK(run.state == gr::storage::RunState::Complete);
  CHECK(run.outcome == "panic");
  CHECK(run.message == "fatal error: stack overflow (goroutine stack exceeds 65536-byte limit)");
  CHECK(run.events == rec.result.events);
  gr::storage::EventQuery panics(run.id);
  panics.kinds = {gr::EventKind::Panic};
  gr::storage::EventCursor events = log.events(panics);
  gr::storage::StoredEvent panic;
  REQUIRE(events.next(panic));
  CHECK(panic.seq == run.events);
  CHECK(panic.gid == 1);
  CHECK(panic.text == run.message);
}

TEST_CASE("runaway: a stack overflow with 100,000 goroutines parked", "[traps]") {
  if (gr::stack_guard_mode() == std::string_view("none")) {
    WARN("stacks have no guard page here");
    return;
  }
  constexpr int kParked = 100'000;
  std::atomic<int> torn_down{0};
  int parked = 0;
  gr::RunOptions o;
  o.strategy = std::make_shared<gr::FifoStrategy>();
  const gr::RunResult r = gr::run(
      [&] {
        gr::chan<int> gate(0, "gate");
        for (int i = 0; i < kParked; ++i)
          gr::go([&] {
            Live l(&torn_down);
            ++parked;
            gate.recv();
          });
        gr::yield();  // fifo: every one of them runs and parks
        gr::go([] { g_sink = deep(0); }, "overflow");
        gate.recv();
      },
      o);
  CHECK(parked == kParked);
  CHECK(r.outcome == gr::Outcome::Panic);
  CHECK(contains(r.message, "stack overflow"));
  CHECK(r.goroutine == kParked + 2);
  CHECK(r.goroutine_name == "overflow");
  CHECK(r.goroutines == kParked + 2);
  CHECK(torn_down == kParked);
  REQUIRE(normal_run().ok());
}

TEST_CASE("runaway: stacks guarded with mprotect (older kernels) catch an overflow too", "[traps]") {
  const gr::detail::StackGuard before = gr::detail::stack_guard();
  gr::detail::force_stack_guard(gr::detail::StackGuard::Mprotect);
  CHECK(gr::stack_guard_mode() == std::string_view("mprotect"));
  gr::RunOptions o;
  o.stack_size = 96 * 1024;  // a pool of its own, carved while mprotect is in force
  const gr::RunResult r = gr::run(
      [] {
        gr::WaitGroup wg;
        for (int i = 0; i < 100; ++i) {
          wg.add(1);
          gr::go([&] {
            gr::yield();
            wg.done();
          });
        }
        wg.wait();
        gr::go([] { g_sink = deep(0); }, "deep");
        gr::chan<int>(0, "never").recv();
      },
      o);
  gr::detail::force_stack_guard(before);
  CHECK(r.outcome == gr::Outcome::Panic);
  CHECK(r.message == "fatal error: stack overflow (goroutine stack exceeds 98304-byte limit)");
  CHECK(r.goroutine_name == "deep");
  o.stack_size = 96 * 1024;
  REQUIRE(gr::run([] { gr::go([] { gr::yield(); }); gr::yield(); }, o).ok());
  REQUIRE(normal_run().ok());
}

// DeepOnUnwind's destructor overflows the stack: when the run ends and the
// goroutine holding it is torn down.
struct DeepOnUnwind {
  ~DeepOnUnwind() noexcept(false) { g_sink = deep(0); }
};

TEST_CASE("runaway: a stack overflow while a goroutine is torn down leaves the outcome and the others alone", "[traps]") {
  if (gr::stack_guard_mode() == std::string_view("none")) {
    WARN("stacks have no guard page here");
    return;
  }
  std::atomic<int> torn_down{0};
  gr::RunOptions o;
  o.strategy = std::make_shared<gr::FifoStrategy>();
  const gr::RunResult r = gr::run(
      [&] {
        gr::chan<int> never(0, "never");
        gr::go([&] {
          Live l(&torn_down);
          never.recv();
        }, "older");
        gr::go([&] {
          DeepOnUnwind d;
          never.recv();
        }, "deep_on_unwind");
        gr::go([&] {
          Live l(&torn_down);
          never.recv();
        }, "newer");
        gr::yield();
        gr::panic("boom");
      },
      o);
  CHECK(r.outcome == gr::Outcome::Panic);
  CHECK(r.message == "boom");
  CHECK(r.goroutine == 1);
  CHECK(torn_down == 2);  // torn down before and after the one that overflowed
  REQUIRE(normal_run().ok());
}

#endif  // GOREWIND_SANITIZE

TEST_CASE("runaway: a livelock of goroutines spinning on select with default hits the step limit", "[traps]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    gr::RunOptions o;
    o.seed = seed;
    o.max_steps = 10'000;
    const gr::RunResult r = gr::run(
        [] {
          gr::chan<int> a(0, "a"), b(0, "b");
          gr::WaitGroup wg;
          wg.add(2);
          // Each waits for the other to be ready to receive, politely
          // stepping back when it is not: forever.
          gr::go([&] {
            for (;;) {
              if (gr::select(gr::send(a, 1, [] {}), gr::otherwise([] {})) == 0) break;
              gr::yield();
            }
            wg.done();
          }, "polite_a");
          gr::go([&] {
            for (;;) {
              if (gr::select(gr::send(b, 1, [] {}), gr::otherwise([] {})) == 0) break;
              gr::yield();
            }
            wg.done();
          }, "polite_b");
          wg.wait();
        },
        o);
    INFO("seed " << seed);
    CHECK(r.outcome == gr::Outcome::StepLimit);
    CHECK(gr::to_string(r.outcome) == "step_limit");
    CHECK(r.message == "step limit of 10000 events reached");
    CHECK(r.events >= 10'000);
    CHECK(r.events <= 10'002);
    CHECK((r.goroutine_name == "polite_a" || r.goroutine_name == "polite_b"));
    CHECK(r.site.file == kThisFile);
  }
}

TEST_CASE("runaway: busy-waiting on a timeout that virtual time never reaches hits the step limit", "[traps]") {
  gr::RunOptions o;
  o.max_steps = 500;
  const gr::RunResult r = gr::run(
      [] {
        auto timeout = gr::after(std::chrono::seconds(1));
        bool done = false;
        while (!done) gr::select(gr::recv(timeout, [&](gr::Time, bool) { done = true; }), gr::otherwise([] {}));
      },
      o);
  CHECK(r.outcome == gr::Outcome::StepLimit);
  CHECK(r.goroutine == 1);
  CHECK(r.events >= 500);
  CHECK(r.events <= 502);
  // Without a limit the same program would never end; with a generous one
  // a finishing program is unaffected.
  o.max_steps = 1'000'000;
  REQUIRE(gr::run([] { gr::sleep(std::chrono::seconds(1)); }, o).ok());
  REQUIRE(normal_run().ok());
}

TEST_CASE("runaway: the step limit is deterministic", "[traps][determinism]") {
  auto once = [](std::uint64_t seed) {
    gr::test::EventLog log;
    gr::RunOptions o;
    o.seed = seed;
    o.max_steps = 300;
    o.observers = {&log};
    const gr::RunResult r = gr::run(
        [] {
          for (int i = 0; i < 3; ++i)
            gr::go([] {
              for (;;) gr::yield();
            });
          for (;;) gr::yield();
        },
        o);
    return std::make_pair(r.goroutine, log.lines());
  };
  for (std::uint64_t seed = 1; seed <= 5; ++seed) CHECK(once(seed) == once(seed));
}

#ifndef GOREWIND_SANITIZE

TEST_CASE("runaway: a goroutine that never reaches a scheduling point is stopped by the timeout", "[traps]") {
  const Disposition alrm_before = disposition(SIGALRM);
  const Disposition segv_before = disposition(SIGSEGV);
  std::atomic<int> torn_down{0};
  gr::test::EventLog log;
  gr::RunOptions o;
  o.strategy = std::make_shared<gr::FifoStrategy>();
  o.observers = {&log};
  o.timeout = 0.2;
  const gr::RunResult r = gr::run(
      [&] {
        gr::chan<int> never(0, "never");
        gr::go([&] {
          Live l(&torn_down);
          never.recv();
        }, "bystander");
        gr::go([] {
          gr::yield();
          spin();
        }, "runaway");
        never.recv();
      },
      o);
  INFO(r.message);
  CHECK(r.outcome == gr::Outcome::Timeout);
  CHECK(gr::to_string(r.outcome) == "timeout");
  CHECK(r.goroutine == 3);
  CHECK(r.goroutine_name == "runaway");
  CHECK(r.site.file == kThisFile);
  CHECK(contains(r.message, "goroutine 3 (runaway) ran for "));
  CHECK(contains(r.message, " s without reaching a scheduling point; last seq " + std::to_string(log.events.back().seq)));
  CHECK(r.events == log.events.back().seq);
  CHECK(torn_down == 1);
  CHECK(disposition(SIGALRM) == alrm_before);
  CHECK(disposition(SIGSEGV) == segv_before);
  REQUIRE(normal_run().ok());
}

TEST_CASE("runaway: a runaway main and one busy in malloc are stopped too, and the heap survives", "[traps]") {
  gr::RunOptions o;
  o.timeout = 0.1;
  const gr::RunResult r = gr::run(spin, o);
  CHECK(r.outcome == gr::Outcome::Timeout);
  CHECK(r.goroutine == 1);
  CHECK(contains(r.message, "goroutine 1 (main) ran for "));

  const gr::RunResult m = gr::run(
      [] {
        gr::go([] {
          std::vector<std::string> keep;
          for (std::uint64_t i = 0;; ++i) {
            keep.emplace_back(64 + i % 200, 'x');
            if (keep.size() > 1000) keep.clear();
          }
        }, "allocator");
        gr::chan<int>(0, "never").recv();
      },
      o);
  CHECK(m.outcome == gr::Outcome::Timeout);
  CHECK(m.goroutine_name == "allocator");
  std::vector<std::string> more(10000, std::string(100, 'y'));
  CHECK(more.back().size() == 100);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) REQUIRE(normal_run(seed).ok());
}

// SpinOnUnwind's destructor never returns.
struct SpinOnUnwind {
  ~SpinOnUnwind() noexcept(false) { spin(); }
};

TEST_CASE("runaway: a destructor that never returns during teardown is stopped by the timeout", "[traps]") {
  std::atomic<int> torn_down{0};
  gr::RunOptions o;
  o.strategy = std::make_shared<gr::FifoStrategy>();
  o.timeout = 0.1;
  const gr::RunResult r = gr::run(
      [&] {
        gr::chan<int> never(0, "never");
        gr::go([&] {
          Live l(&torn_down);
          never.recv();
        }, "older");
        gr::go([&] {
          SpinOnUnwind s;
          never.recv();
        }, "spin_on_unwind");
        gr::yield();
        gr::check(false, "the failure");
      },
      o);
  CHECK(r.outcome == gr::Outcome::CheckFailed);
  CHECK(r.message == "the failure");
  CHECK(torn_down == 1);
  REQUIRE(normal_run().ok());
}

#endif  // GOREWIND_SANITIZE

TEST_CASE("runaway: a run that keeps making progress ends at a scheduling point once its time is up", "[traps]") {
  gr::RunOptions o;
  o.timeout = 0.1;
  const gr::RunResult r = gr::run(
      [] {
        gr::go([] {
          for (;;) gr::yield();
        }, "busy");
        for (;;) gr::yield();
      },
      o);
  CHECK(r.outcome == gr::Outcome::Timeout);
  CHECK(contains(r.message, "run exceeded its wall-clock timeout of 0.1 s; last seq "));
  CHECK((r.goroutine_name == "busy" || r.goroutine_name == "main"));
  CHECK(r.site.file == kThisFile);
  // A run that ends in time is not affected by its timeout.
  o.timeout = 30;
  REQUIRE(gr::run([] { gr::go([] { gr::yield(); }); gr::yield(); }, o).ok());
  REQUIRE(normal_run().ok());
}

// ---------------------------------------------------------------------------
// The CLI: --step-limit, --timeout, and the guard in use
// ---------------------------------------------------------------------------

namespace {

struct Shell {
  int code = -1;
  std::string out;
};

// sh() runs the gorewind binary (GOREWIND_BIN, set by ctest) with args,
// stdout and stderr together.
Shell sh(const std::string& args) {
  const char* bin = std::getenv("GOREWIND_BIN");
  REQUIRE(bin != nullptr);
  Shell r;
  FILE* p = popen((std::string(bin) + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  std::string all;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // The sanitizer build's notices ("==PID==WARNING: ASan ...") are not ours.
  for (std::size_t at = 0; at < all.size();) {
    std::size_t end = all.find('\n', at);
    end = end == std::string::npos ? all.size() : end + 1;
    const std::string line = all.substr(at, end - at);
    if (line.rfind("==", 0) != 0) r.out += line;
    at = end;
  }
  return r;
}

}  // namespace

TEST_CASE("runaway: gorewind run --step-limit and --timeout", "[cli]") {
  const Shell limited = sh("run worker_pool --seed 3 --step-limit 40");
  CHECK(limited.code == 1);
  CHECK(contains(limited.out, "step limit: step limit of 40 events reached\n"));
  CHECK(contains(limited.out, " [running]:\n"));
  CHECK(contains(limited.out, "--step-limit 40\n"));  // in the reproducing command
  CHECK(contains(limited.out, "step_limit  worker_pool  seed=3"));
  // The same limit gives the same run.
  CHECK(sh("run worker_pool --seed 3 --step-limit 40").out == limited.out);

  const Shell json = sh("run worker_pool --seed 3 --step-limit 40 --json");
  CHECK(json.code == 1);
  CHECK(contains(json.out, "\"outcome\":\"step_limit\""));
  CHECK(contains(json.out, "\"stack_guard\":\"" + std::string(gr::stack_guard_mode()) + "\""));

  const Shell roomy = sh("run worker_pool --seed 3 --step-limit 1000000 --timeout 60 --json");
  CHECK(roomy.code == 0);
  CHECK(contains(roomy.out, "\"outcome\":\"ok\""));

  for (const char* bad : {"--step-limit -1", "--step-limit x", "--timeout abc", "--timeout -1", "--timeout inf",
                          "--timeout ''"}) {
    INFO(bad);
    const Shell r = sh(std::string("run worker_pool ") + bad);
    CHECK(r.code == 2);
    CHECK(contains(r.out, "gorewind: error: --"));
  }
}
