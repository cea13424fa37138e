// test_traps.cpp: the traps issue 2 names, each with a test.
//
// - An exception escaping a goroutine: Boost 1.74's fiber entry is noexcept,
//   so an escaping exception would call std::terminate; it must become the
//   run's panic outcome instead.
// - Per-fiber exception state: the C++ runtime keeps the caught-exception
//   stack and the uncaught count per thread; a switch inside a catch block or
//   during unwinding must not let goroutines see each other's.
// - Teardown: once a run ends no goroutine resumes its code; suspended ones
//   are unwound newest first, their destructors run once, runtime calls from
//   them do nothing, and nothing leaks.
// - Sites: std::lock_guard, range-for and select record the user's line, and
//   paths are relative to the source tree.
// - Stacks come from a pool and are reused across runs.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::EventKind;
using gr::test::Recorded;
using gr::test::run_with;

namespace {

constexpr const char* kThisFile = "tests/test_traps.cpp";

// Eager switches to another goroutine at every scheduling point where one is
// runnable, and otherwise runs the queue in order: the schedule that switches
// the most, so a switch inside a catch block or a destructor is certain.
class Eager final : public gr::Strategy {
 public:
  std::string_view name() const override { return "eager"; }
  void begin_run(std::uint64_t) override {}
  std::size_t pick_goroutine(const gr::Runnable& options) override { return options.current() != 0 ? 1 : 0; }
  std::size_t pick(gr::Decision, std::size_t) override { return 0; }
};

struct Ran {
  gr::RunResult result;
  std::vector<Recorded> events;
  std::vector<std::string> lines;
};

// drain_steps 0: the run ends at main's return (RunOptions::drain_steps).
Ran run_under(const std::function<void()>& fn, std::shared_ptr<gr::Strategy> strategy, std::uint64_t seed = 1,
              std::uint64_t drain_steps = gr::RunOptions{}.drain_steps) {
  gr::test::EventLog log;
  gr::RunOptions o;
  o.seed = seed;
  o.drain_steps = drain_steps;
  o.strategy = std::move(strategy);
  o.observers = {&log};
  Ran out;
  out.result = gr::run(fn, o);
  out.events = log.events;
  out.lines = log.lines();
  return out;
}

// schedules() runs fn under fifo, eager and `seeds` random seeds.
void for_schedules(int seeds, const std::function<void(const std::string&, std::shared_ptr<gr::Strategy>, std::uint64_t)>& body) {
  body("fifo", std::make_shared<gr::FifoStrategy>(), 1);
  body("eager", std::make_shared<Eager>(), 1);
  for (int s = 1; s <= seeds; ++s) body("random", std::make_shared<gr::RandomStrategy>(), static_cast<std::uint64_t>(s));
}

// Live counts the objects alive, to prove that teardown leaks nothing.
int g_live = 0;
struct Live {
  int tag = 0;
  Live() { ++g_live; }
  explicit Live(int t) : tag(t) { ++g_live; }
  Live(const Live& o) : tag(o.tag) { ++g_live; }
  Live(Live&& o) noexcept : tag(o.tag) { ++g_live; }
  Live& operator=(const Live&) = default;
  Live& operator=(Live&&) = default;
  ~Live() { --g_live; }
};

// A type that is not a std::exception.
struct NotAnException {
  int code;
};

}  // namespace

// ---------------------------------------------------------------------------
// Exceptions escaping goroutines
// ---------------------------------------------------------------------------

TEST_CASE("traps: a std::exception escaping a goroutine is a panic with its what()", "[traps]") {
  for_schedules(20, [](const std::string& name, auto strategy, std::uint64_t seed) {
    INFO(name << " seed " << seed);
    bool after_throw = false;
    auto out = run_under(
        [&] {
          gr::chan<int> never(0, "never");
          gr::go([&] { never.recv(); }, "bystander");
          gr::go([&] {
            gr::yield();
            throw std::runtime_error("disk on fire");
          }, "thrower");
          never.recv();  // main waits forever: only the panic ends the run
          after_throw = true;
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "disk on fire");
    CHECK(out.result.goroutine == 3);
    CHECK(out.result.goroutine_name == "thrower");
    CHECK(out.result.site.file == kThisFile);  // its last operation: the yield
    CHECK(out.result.blocked.empty());
    CHECK_FALSE(after_throw);
    REQUIRE_FALSE(out.lines.empty());
    CHECK(out.lines.back() == "g3 panic 'disk on fire'");  // the last event of the run
    CHECK(out.result.events == out.events.size());
  });
}

TEST_CASE("traps: a non-std exception escaping a goroutine is a panic, not std::terminate", "[traps]") {
  SECTION("throw 42") {
    auto out = run_with([] { gr::go([] { throw 42; }, "int_thrower"); gr::yield(); gr::yield(); }, "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK_FALSE(out.result.message.empty());
    CHECK(out.result.goroutine == 2);
    CHECK(out.result.goroutine_name == "int_thrower");
    CHECK(out.lines.back() == "g2 panic '" + out.result.message + "'");
  }
  SECTION("a struct") {
    auto out = run_with([] { gr::go([] { throw NotAnException{7}; }, "struct_thrower"); gr::yield(); }, "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK_FALSE(out.result.message.empty());
    CHECK(out.result.goroutine_name == "struct_thrower");
  }
  SECTION("from main") {
    auto out = run_with([] { throw std::logic_error("main gave up"); }, "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "main gave up");
    CHECK(out.result.goroutine == 1);
    CHECK(out.result.goroutine_name == "main");
  }
  SECTION("a recovered panic is no panic") {
    std::string recovered;
    auto out = run_with(
        [&] {
          gr::WaitGroup wg;
          wg.add(1);
          gr::go([&] {
            try {
              gr::panic("oops");
            } catch (const gr::Panic& p) {
              recovered = p.message();
            }
            wg.done();
          });
          wg.wait();
        },
        "fifo");
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(recovered == "oops");
  }
}

// ---------------------------------------------------------------------------
// Per-fiber exception state
// ---------------------------------------------------------------------------

TEST_CASE("traps: a switch inside a catch block keeps each goroutine's caught exception", "[traps]") {
  for_schedules(100, [](const std::string& name, auto strategy, std::uint64_t seed) {
    INFO(name << " seed " << seed);
    struct {
      std::string a_rethrown, b_caught;
      bool a_same = false, b_same = false, a_clean = false, b_clean = false, main_clean = false;
      int a_uncaught = -1, b_uncaught = -1, a_depth_ok = 0;
    } o;
    auto out = run_under(
        [&] {
          gr::chan<int> c(0, "c");
          gr::WaitGroup wg("wg");
          wg.add(2);
          gr::go([&] {
            try {
              try {
                throw std::runtime_error("A's error");
              } catch (const std::runtime_error&) {
                const std::exception_ptr mine = std::current_exception();
                c.send(1);  // B takes it inside B's own catch block
                gr::yield();
                try {  // a nested catch inside the first, across a switch
                  throw 5;
                } catch (int) {
                  gr::yield();
                  if (std::current_exception() != mine) ++o.a_depth_ok;
                }
                o.a_same = std::current_exception() == mine;
                o.a_uncaught = std::uncaught_exceptions();
                throw;  // rethrows A's exception, not B's
              }
            } catch (const std::runtime_error& e) {
              o.a_rethrown = e.what();
            }
            o.a_clean = !std::current_exception();
            wg.done();
          }, "A");
          gr::go([&] {
            try {
              throw std::logic_error("B's error");
            } catch (const std::logic_error& e) {
              const std::exception_ptr mine = std::current_exception();
              c.recv();
              gr::yield();
              o.b_same = std::current_exception() == mine;
              o.b_uncaught = std::uncaught_exceptions();
              o.b_caught = e.what();
            }
            o.b_clean = !std::current_exception();
            wg.done();
          }, "B");
          wg.wait();
          o.main_clean = !std::current_exception() && std::uncaught_exceptions() == 0;
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(o.a_rethrown == "A's error");
    CHECK(o.b_caught == "B's error");
    CHECK(o.a_same);
    CHECK(o.b_same);
    CHECK(o.a_depth_ok == 1);
    CHECK(o.a_uncaught == 0);
    CHECK(o.b_uncaught == 0);
    CHECK(o.a_clean);
    CHECK(o.b_clean);
    CHECK(o.main_clean);
  });
  // The hub's own state is untouched too.
  CHECK_FALSE(std::current_exception());
  CHECK(std::uncaught_exceptions() == 0);
}

TEST_CASE("traps: a switch during unwinding keeps each goroutine's uncaught count", "[traps]") {
  // SwitchingGuard's destructor yields: under unwinding it is a switch in the
  // middle of a propagating exception.
  struct SwitchingGuard {
    int* before;
    int* after;
    ~SwitchingGuard() {
      *before = std::uncaught_exceptions();
      gr::yield();
      *after = std::uncaught_exceptions();
    }
  };
  for_schedules(100, [](const std::string& name, auto strategy, std::uint64_t seed) {
    INFO(name << " seed " << seed);
    int a_before = -1, a_after = -1, a_in_catch = -1, b_before = -1, b_after = -1, b_in_catch = -1;
    std::string a_msg, b_msg;
    auto out = run_under(
        [&] {
          gr::WaitGroup wg("wg");
          wg.add(2);
          gr::go([&] {
            try {
              SwitchingGuard g{&a_before, &a_after};
              throw std::runtime_error("A unwinding");
            } catch (const std::runtime_error& e) {
              a_in_catch = std::uncaught_exceptions();
              a_msg = e.what();
            }
            wg.done();
          }, "A");
          gr::go([&] {
            {
              SwitchingGuard g{&b_before, &b_after};  // no exception here
              gr::yield();
            }
            try {
              throw std::logic_error("B's own");
            } catch (const std::logic_error& e) {
              gr::yield();
              b_in_catch = std::uncaught_exceptions();
              b_msg = e.what();
            }
            wg.done();
          }, "B");
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK(a_before == 1);
    CHECK(a_after == 1);
    CHECK(a_in_catch == 0);
    CHECK(a_msg == "A unwinding");
    CHECK(b_before == 0);
    CHECK(b_after == 0);
    CHECK(b_in_catch == 0);
    CHECK(b_msg == "B's own");
  });
}

TEST_CASE("traps: std::lock_guard unlocking during unwinding switches, and the exception arrives intact", "[traps]") {
  int switched_during_unwinding = 0;
  for_schedules(200, [&](const std::string& name, auto strategy, std::uint64_t seed) {
    INFO(name << " seed " << seed);
    std::string a_msg;
    int a_uncaught_in_catch = -1;
    int b_steps = 0, b_steps_at_throw = -1, b_steps_at_catch = -1;
    std::vector<std::string> b_msgs;
    bool a_caught_wrong = false;
    auto out = run_under(
        [&] {
          gr::Mutex mu("mu");
          gr::WaitGroup wg("wg");
          wg.add(2);
          gr::go([&] {
            try {
              std::lock_guard<gr::Mutex> guard(mu);
              b_steps_at_throw = b_steps;
              throw std::runtime_error("A's error");  // guard unlocks (a scheduling point) while this propagates
            } catch (const std::runtime_error& e) {
              b_steps_at_catch = b_steps;
              a_uncaught_in_catch = std::uncaught_exceptions();
              gr::yield();
              try {
                throw;  // the exception being handled is still A's
              } catch (const std::runtime_error& again) {
                if (&again == &e) a_msg = e.what();
              }
            } catch (...) {
              a_caught_wrong = true;
            }
            wg.done();
          }, "A");
          gr::go([&] {
            for (int i = 0; i < 6; ++i) {
              try {
                throw std::logic_error("B" + std::to_string(i));
              } catch (const std::logic_error& e) {
                ++b_steps;
                gr::yield();
                {
                  std::lock_guard<gr::Mutex> guard(mu);
                  ++b_steps;
                }
                try {
                  throw;  // the exception being handled is still B's
                } catch (const std::logic_error& again) {
                  if (&again == &e) b_msgs.push_back(e.what());
                }
              }
            }
            wg.done();
          }, "B");
          wg.wait();
        },
        strategy, seed);
    REQUIRE(out.result.outcome == gr::Outcome::Ok);
    CHECK_FALSE(a_caught_wrong);
    CHECK(a_msg == "A's error");
    CHECK(a_uncaught_in_catch == 0);
    CHECK(b_msgs == std::vector<std::string>{"B0", "B1", "B2", "B3", "B4", "B5"});
    if (b_steps_at_catch != b_steps_at_throw) ++switched_during_unwinding;
    if (name == "eager") CHECK(b_steps_at_catch != b_steps_at_throw);
  });
  // The point of the test: B really ran while A's exception was in flight.
  CHECK(switched_during_unwinding > 10);
}

// ---------------------------------------------------------------------------
// Teardown
// ---------------------------------------------------------------------------

TEST_CASE("traps: a goroutine woken just before main returns resumes in the drain", "[traps]") {
  bool flag = false;
  auto out = run_with(
      [&] {
        gr::chan<int> c(0, "c");
        gr::go([c, &flag] {  // c by value: the goroutine outlives main's frame
          c.recv();
          flag = true;
        }, "late");
        gr::yield();  // late parks in recv
        c.send(1);    // late is woken, runnable ...
      },              // ... and main returns: the drain runs it
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(flag);
  CHECK(out.lines.back() == "g2 exit");
}

#ifndef GOREWIND_SANITIZE  // ASan may put locals on its own fake stack
TEST_CASE("traps: the goroutines the drain runs never get main's stack", "[traps]") {
  // A goroutine that uses main's locals by reference after main returned is
  // the program's bug (Go's closures would have moved them to the heap), but
  // it must not scribble on a live goroutine's frames. The pool hands out the
  // stack freed last, main's here, were it not kept out until the run ends.
  std::uintptr_t main_frame = 0;
  std::uintptr_t drain_frame = 0;
  auto out = run_with(
      [&] {
        int local = 0;
        main_frame = reinterpret_cast<std::uintptr_t>(&local);
        gr::chan<int> c(0, "c");
        gr::go([c, &drain_frame] {
          c.recv();
          gr::go([&drain_frame] {
            int mine = 0;
            drain_frame = reinterpret_cast<std::uintptr_t>(&mine);
          }, "born_late");
          gr::yield();  // born_late starts while late still holds its stack
        }, "late");
        gr::yield();
        c.send(1);
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  REQUIRE(drain_frame != 0);
  const std::uintptr_t apart = main_frame > drain_frame ? main_frame - drain_frame : drain_frame - main_frame;
  CHECK(apart >= gr::RunOptions{}.stack_size);
}
#endif

TEST_CASE("traps: no goroutine runs user code once the run has ended", "[traps]") {
  // Goroutines busy with every kind of operation; the run ends while they are
  // anywhere in them; after the ending no goroutine may get past an operation.
  for (const std::string ending : {"main returns", "panic", "check"}) {
    for_schedules(40, [&](const std::string& name, auto strategy, std::uint64_t seed) {
      INFO(ending << ": " << name << " seed " << seed);
      bool ended = false;
      int resumed_after_end = 0;
      auto out = run_under(
          [&] {
            gr::chan<int> c(0, "c");
            gr::chan<int> b(2, "b");
            gr::Mutex mu("mu");
            gr::WaitGroup wg("wg");
            for (int i = 0; i < 6; ++i) {
              gr::go([&, i] {
                for (int k = 0; k < 5; ++k) {
                  switch ((i + k) % 6) {
                    case 0: c.send(k); break;
                    case 1: c.recv(); break;
                    case 2: mu.lock(); gr::yield(); mu.unlock(); break;
                    case 3: gr::sleep(1ms); break;
                    case 4: gr::select(gr::recv(c), gr::send(b, k), gr::after_case(2ms)); break;
                    default: b.send(k); break;
                  }
                  if (ended) ++resumed_after_end;
                }
                wg.wait();  // nobody ever adds: returns at once
                c.recv();   // may block forever
                if (ended) ++resumed_after_end;
              }, "busy");
            }
            gr::go([&] {
              for (int k = 0; k < 4; ++k) gr::yield();
              if (ending == "panic") {
                ended = true;
                gr::panic("the end");
              }
              if (ending == "check") {
                ended = true;
                gr::check(false, "the end");
              }
            }, "ender");
            if (ending == "main returns") {
              for (int k = 0; k < 4; ++k) gr::yield();
              ended = true;
              return;
            }
            gr::select();  // main waits forever
          },
          strategy, seed, 0);  // no drain: main's return is the end
      CHECK(resumed_after_end == 0);
      if (ending == "panic") CHECK(out.result.outcome == gr::Outcome::Panic);
      if (ending == "check") CHECK(out.result.outcome == gr::Outcome::CheckFailed);
      if (ending == "main returns")
        CHECK((out.result.outcome == gr::Outcome::Ok || out.result.outcome == gr::Outcome::Leak));
      CHECK(out.result.events == out.events.size());
    });
  }
}

TEST_CASE("traps: suspended goroutines are torn down newest first, each destructor once", "[traps]") {
  struct Tracker {
    std::vector<gr::Gid>* order;
    gr::Gid id;
    ~Tracker() { order->push_back(id); }
  };
  SECTION("main returns: leak") {
    std::vector<gr::Gid> order;
    auto out = run_with(
        [&] {
          gr::chan<int> c(0, "c");
          for (int i = 0; i < 5; ++i)
            gr::go([&] {
              Tracker t{&order, gr::goroutine_id()};
              c.recv();
            }, "blocked");
          gr::yield();
        },
        "fifo");
    CHECK(out.result.outcome == gr::Outcome::Leak);
    CHECK(out.result.blocked.size() == 5);
    CHECK(order == std::vector<gr::Gid>{6, 5, 4, 3, 2});
  }
  SECTION("deadlock: main is torn down last") {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      INFO("seed " << seed);
      std::vector<gr::Gid> order;
      auto out = run_with(
          [&] {
            Tracker t{&order, gr::goroutine_id()};
            gr::chan<int> c(0, "c");
            gr::Mutex mu("mu");
            gr::WaitGroup wg("wg");
            mu.lock();
            wg.add(1);
            gr::go([&] { Tracker t2{&order, gr::goroutine_id()}; c.recv(); });
            gr::go([&] { Tracker t2{&order, gr::goroutine_id()}; mu.lock(); });
            gr::go([&] { Tracker t2{&order, gr::goroutine_id()}; gr::select(); });
            gr::go([&] {
              Tracker t2{&order, gr::goroutine_id()};
              gr::chan<int> d(0, "d");
              gr::select(gr::recv(d), gr::send(d, 1));  // never pairs with itself
            });
            gr::go([&] { Tracker t2{&order, gr::goroutine_id()}; gr::chan<int>::nil().send(1); });
            wg.wait();
          },
          "random", seed);
      REQUIRE(out.result.outcome == gr::Outcome::Deadlock);
      CHECK(out.result.blocked.size() == 6);
      CHECK(order == std::vector<gr::Gid>{6, 5, 4, 3, 2, 1});
    }
  }
  SECTION("panic: the panicking goroutine unwinds first, the rest newest first") {
    std::vector<gr::Gid> order;
    auto out = run_with(
        [&] {
          Tracker t{&order, gr::goroutine_id()};
          gr::chan<int> c(0, "c");
          for (int i = 0; i < 3; ++i)
            gr::go([&] { Tracker t2{&order, gr::goroutine_id()}; c.recv(); });
          gr::go([&] {
            Tracker t2{&order, gr::goroutine_id()};
            gr::yield();
            gr::panic("bye");
          }, "panicker");
          for (int i = 0; i < 2; ++i)
            gr::go([&] { Tracker t2{&order, gr::goroutine_id()}; c.recv(); });
          c.recv();
        },
        "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.goroutine == 5);
    CHECK(order == std::vector<gr::Gid>{5, 7, 6, 4, 3, 2, 1});
  }
}

TEST_CASE("traps: runtime calls from destructors during teardown are harmless no-ops", "[traps]") {
  // Each would misbehave in a live run: block forever, panic, or be fatal.
  int dtors = 0;
  bool spawned_ran = false;
  struct Mischief {
    std::function<void()> fn;
    ~Mischief() { fn(); }
  };
  for (std::shared_ptr<gr::Strategy> strategy :
       {std::shared_ptr<gr::Strategy>(std::make_shared<gr::FifoStrategy>()), std::shared_ptr<gr::Strategy>(std::make_shared<Eager>())}) {
    INFO(strategy->name());
    dtors = 0;
    std::size_t events_at_end = 0;
    gr::Mutex mu("mu");     // outlive the run: the destructors below use them
    gr::WaitGroup wg("wg");  // during teardown, after main's frame is gone
    gr::test::EventLog log;
    gr::RunOptions o;
    o.strategy = strategy;
    o.observers = {&log};
    auto result = gr::run(
        [&] {
          gr::chan<int> c(0, "c");
          gr::chan<int> closed(0, "closed");
          closed.close();
          wg.add(1);
          for (int i = 0; i < 4; ++i) {
            gr::go([&, c, closed] {
              Mischief m{[&, c, closed] {
                ++dtors;
                c.send(1);          // no receiver: would block
                closed.send(1);     // closed: would panic
                closed.close();     // would panic
                mu.unlock();        // unlocked: would be fatal
                wg.done();          // would go negative and panic
                wg.done();
                wg.wait();          // would block
                mu.lock();
                mu.lock();          // would block
                gr::yield();
                gr::sleep(1s);
                gr::after(1s).recv();
                gr::select();       // would block forever
                gr::select(gr::recv(c), gr::after_case(1ms));
                gr::go([&] { spawned_ran = true; }, "from_dtor");
                gr::check(false, "a check from a destructor");
                c.recv();
              }};
              c.recv();  // blocks forever
            }, "mischief");
          }
          for (int k = 0; k < 10; ++k) gr::yield();  // every mischief goroutine parks
          events_at_end = log.events.size() + 1;     // main's exit comes next
        },
        o);
    CHECK(result.outcome == gr::Outcome::Leak);
    CHECK(result.blocked.size() == 4);
    CHECK(result.goroutines == 5);  // nothing spawned during teardown
    CHECK(dtors == 4);
    CHECK_FALSE(spawned_ran);
    // No event after main's exit.
    CHECK(result.events == events_at_end);
    CHECK(log.events.size() == events_at_end);
    CHECK(log.lines().back() == "g1 exit");
  }
}

namespace {
// in_child() runs fn in a forked child and returns its exit status (-signal
// when a signal killed it): a run that calls std::terminate must fail one
// test, not abort the whole suite.
int in_child(const std::function<int()>& fn) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);  // no Catch2 report from the child
    int code = 99;
    try {
      code = fn();
    } catch (...) {
      code = 98;
    }
    std::_Exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}
}  // namespace

TEST_CASE("traps: a goroutine torn down inside std::lock_guard's destructor unwinds without std::terminate",
          "[traps]") {
  // A's guard unlocks at the end of its scope: unlock is a scheduling point,
  // Eager switches to main there, and main returns. Teardown must unwind A
  // from inside ~lock_guard, which is noexcept unless declared otherwise.
  const int status = in_child([] {
    bool after_guard = false;
    int unwound = 0;
    struct Count {
      int* n;
      ~Count() { ++*n; }
    };
    gr::RunOptions o;
    o.strategy = std::make_shared<Eager>();
    o.drain_steps = 0;  // torn down at main's return
    const gr::RunResult r = gr::run(
        [&] {
          gr::Mutex mu("mu");
          gr::go([&] {
            Count c{&unwound};
            {
              std::lock_guard<gr::Mutex> guard(mu);
            }
            after_guard = true;
          }, "A");
          gr::yield();
        },
        o);
    if (r.outcome != gr::Outcome::Ok) return 2;
    if (unwound != 1) return 3;
    if (after_guard) return 4;  // user code ran after main returned
    return 0;
  });
  INFO("child exit status " << status << " (-6: std::terminate; 2: wrong outcome; 3: destructor count; 4: resumed)");
  CHECK(status == 0);
}

TEST_CASE("traps: a fatal error raised in std::lock_guard's destructor ends the run without std::terminate",
          "[traps]") {
  // Unlocking a mutex that was never locked is fatal; here the unlock is the
  // guard's destructor (adopt_lock on an unlocked mutex).
  unsigned l = 0;
  const int status = in_child([&] {
    const auto out = run_with(
        [&] {
          gr::Mutex mu("mu");
          l = __LINE__; std::lock_guard<gr::Mutex> g(mu, std::adopt_lock);  // never locked
        },
        "fifo");
    if (out.result.outcome != gr::Outcome::Panic) return 2;
    if (out.result.message != "fatal error: sync: unlock of unlocked mutex") return 3;
    if (out.result.site.file != kThisFile || out.result.site.line != l) return 4;
    return 0;
  });
  INFO("child exit status " << status << " (-6: std::terminate; 2: outcome; 3: message; 4: site)");
  CHECK(status == 0);
}

TEST_CASE("traps: a run that ends while a goroutine unwinds through runtime calls ends cleanly", "[traps]") {
  // A goroutine throws; on the way out a guard unlocks a Mutex and a
  // destructor sends on a channel nobody reads, both scheduling points where
  // Eager switches to main, and main returns after k yields, so the run ends
  // at each step of the unwinding in turn. The goroutine cannot be stopped in
  // the middle of unwinding (a destructor must not throw): it finishes it
  // during teardown, but its runtime calls do nothing, no event follows
  // main's exit, every destructor runs once, and nothing terminates.
  int ended_inside = 0;
  for (int k = 0; k <= 8; ++k) {
    INFO("main yields " << k << " times");
    const int status = in_child([k] {
      int dtors = 0;
      bool main_returned = false, caught_after_end = false;
      std::uint64_t events_at_exit = 0;
      gr::test::EventLog log;
      gr::RunOptions o;
      o.strategy = std::make_shared<Eager>();
      o.observers = {&log};
      o.drain_steps = 0;  // the run ends at main's return
      struct SendOnDestroy {
        gr::chan<int> c;
        int* n;
        ~SendOnDestroy() {
          ++*n;
          c.send(1);  // nobody receives: blocks, or does nothing once the run is over
        }
      };
      const gr::RunResult r = gr::run(
          [&] {
            gr::chan<int> c(0, "c");
            gr::Mutex mu("mu");
            gr::go([&, c] {
              try {
                SendOnDestroy d{c, &dtors};
                std::lock_guard<gr::Mutex> guard(mu);
                throw std::runtime_error("unwinding");
              } catch (const std::runtime_error&) {
                if (main_returned) caught_after_end = true;  // (not preventable: see above)
              }
            }, "A");
            for (int i = 0; i < k; ++i) gr::yield();
            events_at_exit = log.events.size() + 1;
            main_returned = true;
          },
          o);
      if (r.outcome != gr::Outcome::Ok && r.outcome != gr::Outcome::Leak) return 2;
      if (dtors != 1) return 3;
      if (r.events != events_at_exit || log.events.size() != events_at_exit) return 4;
      if (log.lines().back() != "g1 exit") return 5;
      return caught_after_end ? 1 : 0;  // 1: the run ended inside the unwinding
    });
    INFO("child exit status " << status << " (-6: std::terminate; 2: outcome; 3: destructors; 4, 5: events after the end)");
    CHECK((status == 0 || status == 1));
    if (status == 1) ++ended_inside;
  }
  CHECK(ended_inside > 0);
}

TEST_CASE("traps: a goroutine that swallows its teardown is stopped at its next runtime call", "[traps]") {
  int swallowed = 0;
  bool reached = false, dtor_ran = false;
  struct Flag {
    bool* f;
    ~Flag() { *f = true; }
  };
  auto out = run_with(
      [&] {
        gr::chan<int> c(0, "c");
        gr::Mutex mu("mu");
        gr::go([&, c] {  // c by value: the loop below touches it after main's frame is gone
          Flag f{&dtor_ran};
          for (;;) {
            try {
              c.recv();
            } catch (...) {  // catches the runtime's teardown too
              if (++swallowed == 3) break;
            }
          }
          c.send(1);  // stopped here
          mu.lock();
          reached = true;
        }, "stubborn");
        gr::yield();
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Leak);
  CHECK(swallowed == 3);
  CHECK_FALSE(reached);
  CHECK(dtor_ran);
  CHECK(out.lines.back() == "g1 exit");
}

TEST_CASE("traps: nothing leaks, however the run ends", "[traps]") {
  REQUIRE(g_live == 0);
  for (const char* ending : {"ok", "leak", "deadlock", "panic", "check"}) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      INFO(ending << " seed " << seed);
      bool never_started_ran = false;
      {
        Live outside(1);  // captured by value everywhere
        auto out = run_with(
            [&, outside] {
              const std::string e = ending;
              gr::chan<Live> c(0, "c");
              gr::chan<Live> buf(3, "buf");
              buf.send(Live(2));
              buf.send(Live(3));
              gr::chan<int> quit(0, "quit");
              gr::WaitGroup wg("wg");
              Live on_main_stack(4);
              for (int i = 0; i < 5; ++i) {
                wg.add(1);
                gr::go([&, outside, c, buf, quit, i] {
                  Live on_stack(10 + i);
                  if (i % 2 == 0) c.send(Live(20 + i));  // a parked sender offers a Live
                  else gr::select(gr::recv(c), gr::recv(quit), gr::send(buf, Live(30 + i)));
                  if (e == "ok") quit.recv_ok();
                  wg.done();
                }, "worker");
              }
              gr::go([outside, &never_started_ran] { never_started_ran = true; }, "never_started");
              if (e == "panic") gr::panic("bail out");
              if (e == "check") gr::check(false, "bail out");
              if (e == "leak") return;
              if (e == "deadlock") gr::select();
              // ok: drain everything so that no goroutine is left
              gr::go([c] {
                for (int k = 0; k < 5; ++k) gr::select(gr::recv(c), gr::otherwise());
              });
              for (int k = 0; k < 6; ++k) gr::select(gr::recv(c), gr::recv(buf), gr::otherwise());
              quit.close();
              while (buf.len() > 0) buf.recv();
              for (int k = 0; k < 5; ++k) gr::select(gr::recv(c), gr::otherwise()), gr::yield();
            },
            "random", seed, gr::RaceMode::First, 0);  // no drain: torn down where main's return finds them
        (void)out;
      }
      CHECK(g_live == 0);
      g_live = 0;
      (void)never_started_ran;
    }
  }
}

TEST_CASE("traps: a goroutine that never started is torn down without running", "[traps]") {
  bool ran = false;
  int live_before = g_live;
  {
    auto out = run_with(
        [&] {
          Live l(1);
          gr::go([l, &ran] { ran = true; }, "never");
        },  // fifo: main runs on and returns first, and without a drain ...
        "fifo", 1, gr::RaceMode::First, 0);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(out.result.goroutines == 2);
  }
  CHECK_FALSE(ran);
  CHECK(g_live == live_before);
}

// ---------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------

namespace {
// events_of() returns the events of one kind.
std::vector<Recorded> events_of(const std::vector<Recorded>& ev, EventKind kind) {
  std::vector<Recorded> out;
  for (const Recorded& e : ev)
    if (e.kind == kind) out.push_back(e);
  return out;
}
}  // namespace

TEST_CASE("traps: std::lock_guard and std::unique_lock record the user's line", "[traps]") {
  unsigned l_guard = 0, l_unique = 0, l_unique_relock = 0;
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        {
          l_guard = __LINE__; std::lock_guard<gr::Mutex> g(mu);
        }
        {
          l_unique = __LINE__; std::unique_lock<gr::Mutex> u(mu);
          u.unlock();
          l_unique_relock = __LINE__; u.lock();
        }
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  const auto locks = events_of(out.events, EventKind::Lock);
  const auto unlocks = events_of(out.events, EventKind::Unlock);
  REQUIRE(locks.size() == 3);
  REQUIRE(unlocks.size() == 3);
  for (const auto& e : locks) CHECK(e.file == kThisFile);
  for (const auto& e : unlocks) CHECK(e.file == kThisFile);
  CHECK(locks[0].line == l_guard);
  CHECK(unlocks[0].line == l_guard);
  CHECK(locks[1].line == l_unique);
  CHECK(unlocks[1].line == l_unique + 1);  // u.unlock() names its own line
  CHECK(locks[2].line == l_unique_relock);
  CHECK(unlocks[2].line == l_unique);  // the destructor: the line where u was made
}

TEST_CASE("traps: a lock_guard that parks records the user's line in the park and the deadlock", "[traps]") {
  unsigned l_guard = 0;
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        mu.lock();
        l_guard = __LINE__; std::lock_guard<gr::Mutex> g(mu);  // self-deadlock
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Deadlock);
  REQUIRE(out.result.blocked.size() == 1);
  CHECK(out.result.blocked[0].site.file == kThisFile);
  CHECK(out.result.blocked[0].site.line == l_guard);
  CHECK(out.result.blocked[0].object == "mu");
  CHECK(out.result.blocked[0].reason == gr::WaitReason::Mutex);
  const auto parks = events_of(out.events, EventKind::Park);
  REQUIRE(parks.size() == 1);
  CHECK(parks[0].line == l_guard);
}

TEST_CASE("traps: range-for over a channel records the line of the for", "[traps]") {
  unsigned l_for = 0;
  int sum = 0;
  auto out = run_with(
      [&] {
        gr::chan<int> c(2, "c");
        gr::go([c] {
          for (int i = 1; i <= 4; ++i) c.send(i);
          c.close();
        }, "producer");
        l_for = __LINE__; for (int v : c) sum += v;
      },
      "random", 3);
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(sum == 10);
  int recvs = 0;
  for (const auto& e : out.events) {
    if (e.gid != 1) continue;
    if (e.kind == EventKind::Recv || e.kind == EventKind::Park) {
      ++recvs;
      CHECK(e.file == kThisFile);
      CHECK(e.line == l_for);
    }
  }
  CHECK(recvs >= 5);  // four values and the close
}

TEST_CASE("traps: select records the line of its first case; select() its own line", "[traps]") {
  unsigned l_first = 0, l_empty = 0;
  auto out = run_with(
      [&] {
        gr::chan<int> a(0, "a");
        gr::chan<int> b(0, "b");
        gr::go([b] { b.send(1); }, "sender");
        gr::go([&] {
          l_empty = __LINE__; gr::select();
        }, "forever");
        l_first = __LINE__ + 2;
        gr::select(
            gr::recv(a),
            gr::recv(b),
            gr::after_case(1h));
        gr::select(gr::recv(a));  // blocks forever with the other one
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Deadlock);
  const auto selects = events_of(out.events, EventKind::Select);
  REQUIRE(selects.size() == 1);
  CHECK(selects[0].file == kThisFile);
  CHECK(selects[0].line == l_first);
  bool saw_select_park = false, saw_empty_park = false;
  for (const auto& e : events_of(out.events, EventKind::Park)) {
    CHECK(e.file == kThisFile);
    if (e.gid == 1 && e.reason == gr::WaitReason::Select && !saw_select_park) {
      saw_select_park = true;
      CHECK(e.line == l_first);
    }
    if (e.reason == gr::WaitReason::SelectNoCases) {
      saw_empty_park = true;
      CHECK(e.line == l_empty);
    }
  }
  CHECK(saw_select_park);
  CHECK(saw_empty_park);
  // The deadlock report names the empty select's line too.
  bool listed = false;
  for (const auto& g : out.result.blocked) {
    CHECK(g.site.file == kThisFile);
    if (g.reason == gr::WaitReason::SelectNoCases) {
      listed = true;
      CHECK(g.site.line == l_empty);
      CHECK(g.name == "forever");
    }
  }
  CHECK(listed);
}

TEST_CASE("traps: panic outcomes name the user's site", "[traps]") {
  SECTION("gr::panic") {
    unsigned l = 0;
    auto out = run_with([&] { gr::go([&] { l = __LINE__; gr::panic("boom"); }, "p"); gr::yield(); }, "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.site.file == kThisFile);
    CHECK(out.result.site.line == l);
    CHECK(out.events.back().line == l);
  }
  SECTION("close of a closed channel") {
    unsigned l = 0;
    auto out = run_with(
        [&] {
          gr::chan<int> c;
          c.close();
          l = __LINE__; c.close();
        },
        "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "close of closed channel");
    CHECK(out.result.site.file == kThisFile);
    CHECK(out.result.site.line == l);
  }
  SECTION("unlock of an unlocked mutex") {
    unsigned l = 0;
    auto out = run_with(
        [&] {
          gr::Mutex mu;
          mu.lock();
          mu.unlock();
          l = __LINE__; mu.unlock();
        },
        "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::Panic);
    CHECK(out.result.message == "fatal error: sync: unlock of unlocked mutex");
    CHECK(out.result.site.file == kThisFile);
    CHECK(out.result.site.line == l);
  }
  SECTION("a failed check") {
    unsigned l = 0;
    auto out = run_with([&] { l = __LINE__; gr::check(1 + 1 == 3, "arithmetic"); }, "fifo");
    REQUIRE(out.result.outcome == gr::Outcome::CheckFailed);
    CHECK(out.result.site.file == kThisFile);
    CHECK(out.result.site.line == l);
    CHECK(out.lines.back() == "g1 check_failed 'arithmetic'");
  }
}

TEST_CASE("traps: site paths are relative to the source tree", "[traps]") {
  auto out = run_with(
      [] {
        gr::chan<int> c(1, "c");
        gr::Mutex mu;
        gr::go([&] { std::lock_guard<gr::Mutex> g(mu); c.send(1); });
        for (int v : c) {
          (void)v;
          break;
        }
        gr::sleep(1ms);
        gr::panic("end");
      },
      "random", 5);
  for (const auto& e : out.events) {
    CHECK_FALSE(e.file.starts_with("/"));
    if (!e.file.empty()) CHECK(e.file == kThisFile);
  }
  CHECK(out.result.site.file == kThisFile);
  // The scenarios' registrations too.
  for (const gr::Scenario* sc : gr::scenarios()) {
    INFO(sc->name);
    CHECK(sc->file.starts_with("scenarios/"));
  }
}

// ---------------------------------------------------------------------------
// Stacks
// ---------------------------------------------------------------------------

namespace {
std::size_t mappings() {
  std::ifstream maps("/proc/self/maps");
  std::size_t n = 0;
  std::string line;
  while (std::getline(maps, line)) ++n;
  return n;
}

void spawn_heavy() {
  gr::chan<int> c(0, "c");
  gr::WaitGroup wg;
  for (int i = 0; i < 50; ++i) {
    wg.add(1);
    gr::go([&, i] {
      c.send(i);
      wg.done();
    });
  }
  int sum = 0;
  for (int i = 0; i < 50; ++i) sum += c.recv();
  wg.wait();
  gr::check(sum == 50 * 49 / 2, "sum");
}
}  // namespace

TEST_CASE("traps: goroutine stacks are pooled and reused across runs", "[traps]") {
  gr::RunOptions o;
  for (int i = 0; i < 5; ++i) REQUIRE(gr::run(spawn_heavy, o).ok());
  const std::size_t before = mappings();
  for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
    o.seed = seed;
    REQUIRE(gr::run(spawn_heavy, o).ok());
  }
  const std::size_t after = mappings();
  // While 200 goroutines are parked at once, their stacks come out of a few
  // large slabs, not one mapping (or two, with a guard) per goroutine.
  std::size_t during = 0;
  gr::RunOptions fifo;
  fifo.strategy = std::make_shared<gr::FifoStrategy>();
  REQUIRE(gr::run(
              [&] {
                gr::chan<int> gate(0, "gate");
                gr::WaitGroup wg;
                wg.add(200);
                for (int i = 0; i < 200; ++i)
                  gr::go([&] {
                    gate.recv_ok();
                    wg.done();
                  });
                gr::yield();  // fifo: all 200 run and park
                during = mappings();
                gate.close();
                wg.wait();
              },
              fifo)
              .ok());
  INFO("mappings before " << before << ", after " << after << ", with 200 goroutines parked " << during);
  CHECK(after <= before);
  CHECK(during <= before + 8);
}
