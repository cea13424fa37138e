// test_race.cpp: the data race detector. Each happens-before edge of the Go
// memory model is checked by a pair of tiny programs: with the edge, two
// accesses of a cell are ordered and no schedule reports a race; without
// it (the access moved past the synchronising operation), every schedule
// does, whatever order the two accesses ran in.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "support.hpp"

namespace gr = gorewind;
using gr::test::run_with;
using gr::test::schedules;

namespace {

using Program = std::function<void()>;

// Tally counts how the runs of a program over fifo and many random seeds ended.
struct Tally {
  int runs = 0;
  int ok = 0;
  int races = 0;
};

Tally tally(const Program& fn, std::uint64_t seeds, gr::RaceMode mode = gr::RaceMode::First) {
  Tally t;
  for (const auto& s : schedules(seeds)) {
    gr::RunOptions o;
    o.seed = s.seed;
    o.strategy = gr::make_strategy(s.strategy);
    o.races = mode;
    const gr::RunResult r = gr::run(fn, o);
    ++t.runs;
    if (r.outcome == gr::Outcome::Ok) ++t.ok;
    if (r.outcome == gr::Outcome::Race) ++t.races;
    if (r.outcome != gr::Outcome::Ok && r.outcome != gr::Outcome::Race)
      FAIL_CHECK(s.strategy << " seed " << s.seed << ": " << gr::to_string(r.outcome) << ": " << r.message);
  }
  return t;
}

// check_edge() runs program(true), where the edge orders a store before a
// load, and program(false), where the store comes after the synchronising
// operation instead.
void check_edge(const std::function<Program(bool)>& program) {
  const Tally with = tally(program(true), 60);
  CHECK(with.ok == with.runs);
  const Tally without = tally(program(false), 60);
  CHECK(without.races == without.runs);
}

// first_access() is the gid of the goroutine whose Load or Store came first.
gr::Gid first_access(const gr::test::RunOutput& out) {
  for (const auto& e : out.events)
    if (e.kind == gr::EventKind::Load || e.kind == gr::EventKind::Store) return e.gid;
  return 0;
}

const gr::test::Recorded& at_seq(const gr::test::RunOutput& out, std::uint64_t seq) {
  REQUIRE(seq >= 1);
  REQUIRE(seq <= out.events.size());
  return out.events[seq - 1];
}

}  // namespace

TEST_CASE("race: a go statement before the goroutine starts", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::WaitGroup wg;
      wg.add(1);
      if (edge) x.store(1);
      gr::go([&] {
        x.load();
        wg.done();
      }, "child");
      if (!edge) x.store(1);
      wg.wait();
    };
  });
}

TEST_CASE("race: a send before its receive completes (unbuffered, buffered, select)", "[race]") {
  for (std::size_t cap : {0, 2}) {
    INFO("capacity " << cap);
    check_edge([cap](bool edge) -> Program {
      return [edge, cap] {
        gr::shared<int> x(0, "x");
        gr::chan<int> c(cap, "c");
        gr::WaitGroup wg;
        wg.add(1);
        gr::go([&] {
          if (edge) x.store(1);
          c.send(0);
          if (!edge) x.store(1);
          wg.done();
        }, "sender");
        c.recv();
        x.load();
        wg.wait();
      };
    });
  }
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::chan<int> a(0, "a"), b(0, "b");
      gr::WaitGroup wg;
      wg.add(1);
      gr::go([&] {
        if (edge) x.store(1);
        a.send(0);
        if (!edge) x.store(1);
        wg.done();
      }, "sender");
      gr::select(gr::recv(a, [](int) {}), gr::recv(b, [](int) {}));
      x.load();
      wg.wait();
    };
  });
}

TEST_CASE("race: an unbuffered receive before its send completes", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::chan<int> c(0, "c");
      gr::WaitGroup wg;
      wg.add(1);
      gr::go([&] {
        if (edge) x.store(1);
        c.recv();
        if (!edge) x.store(1);
        wg.done();
      }, "receiver");
      c.send(0);
      x.load();
      wg.wait();
    };
  });
}

TEST_CASE("race: capacity 2, the kth receive before the (k+2)th send completes, not before the (k+1)th", "[race]") {
  // Without the edge the store lies between receives 1 and 2: the third send
  // (which waits only for receive 1) is not ordered after it, even on the
  // schedules where it happens to run after receive 2.
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::chan<int> c(2, "c");
      gr::WaitGroup wg;
      wg.add(1);
      gr::go([&] {
        if (edge) x.store(1);
        c.recv();
        if (!edge) x.store(1);
        c.recv();
        c.recv();
        wg.done();
      }, "receiver");
      for (int i = 0; i < 3; ++i) c.send(i);
      x.load();
      wg.wait();
    };
  });
}

TEST_CASE("race: a close before a receive that sees it", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::chan<int> c(0, "c");
      gr::WaitGroup wg;
      wg.add(1);
      gr::go([&] {
        if (edge) x.store(1);
        c.close();
        if (!edge) x.store(1);
        wg.done();
      }, "closer");
      CHECK_FALSE(c.recv_ok().second);
      x.load();
      wg.wait();
    };
  });
}

TEST_CASE("race: a Mutex unlock before the next lock", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::Mutex mu("mu");
      gr::WaitGroup wg;
      for (int i = 0; i < 2; ++i) {
        wg.add(1);
        gr::go([&] {
          if (edge) mu.lock();
          x.store(x.load() + 1);
          if (edge) mu.unlock();
          wg.done();
        }, "incrementer");
      }
      wg.wait();
    };
  });
}

TEST_CASE("race: RWMutex, an unlock before the next lock_shared, an unlock_shared before the next lock", "[race]") {
  auto program = [](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::RWMutex rw("rw");
      gr::WaitGroup wg;
      wg.add(2);
      gr::go([&] {
        rw.lock();
        x.store(1);
        rw.unlock();
        wg.done();
      }, "writer");
      gr::go([&] {
        if (edge) rw.lock_shared();
        x.load();
        if (edge) rw.unlock_shared();
        wg.done();
      }, "reader");
      wg.wait();
    };
  };
  const Tally without = tally(program(false), 60);
  CHECK(without.races == without.runs);
  // With the locks, both orders happen over the seeds, and neither races:
  // writer first is the unlock -> lock_shared edge, reader first the
  // unlock_shared -> lock edge.
  std::map<gr::Gid, int> first;
  for (const auto& s : schedules(60)) {
    const auto out = run_with(program(true), s.strategy, s.seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    ++first[first_access(out)];
  }
  CHECK(first[2] > 0);  // the writer (g2) first
  CHECK(first[3] > 0);  // the reader (g3) first
}

TEST_CASE("race: read locks do not order their holders; write locks do", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::RWMutex rw("rw");
      gr::WaitGroup wg;
      for (int i = 0; i < 2; ++i) {
        wg.add(1);
        gr::go([&] {
          edge ? rw.lock() : rw.lock_shared();
          x.store(1);
          edge ? rw.unlock() : rw.unlock_shared();
          wg.done();
        }, "holder");
      }
      wg.wait();
    };
  });
}

TEST_CASE("race: a WaitGroup done before the wait it releases", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::WaitGroup wg("wg");
      gr::chan<int> fin(1, "fin");  // waits for the store without ordering it before the load
      wg.add(1);
      gr::go([&] {
        if (edge) x.store(1);
        wg.done();
        if (!edge) x.store(1);
        fin.send(0);
      }, "worker");
      wg.wait();
      x.load();
      fin.recv();
    };
  });
}

TEST_CASE("race: a Once's call completing before every call returns", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      gr::Once once("once");
      gr::WaitGroup wg;
      auto init = [&] {
        x.store(1);
        gr::yield();  // lets the other call arrive while this one runs: it waits
      };
      wg.add(2);
      gr::go([&] {
        once.call(init);
        x.load();
        wg.done();
      }, "a");
      gr::go([&] {
        if (edge) once.call(init);
        x.load();
        wg.done();
      }, "b");
      wg.wait();
    };
  });
}

TEST_CASE("race: a Cond signal or broadcast before the wait it wakes returns", "[race]") {
  // The signaller waits, under the mutex, until main is inside wait(), then
  // stores and signals outside it: only the signal orders the store.
  for (bool broadcast : {false, true}) {
    INFO((broadcast ? "broadcast" : "signal"));
    check_edge([broadcast](bool edge) -> Program {
      return [edge, broadcast] {
        gr::shared<int> x(0, "x");
        gr::Mutex mu("mu");
        gr::Cond cv(mu, "cv");
        bool waiting = false;
        gr::WaitGroup wg;
        wg.add(1);
        gr::go([&] {
          for (;;) {
            mu.lock();
            const bool in_wait = waiting;
            mu.unlock();
            if (in_wait) break;
            gr::yield();
          }
          if (edge) x.store(1);
          broadcast ? cv.broadcast() : cv.signal();
          if (!edge) x.store(1);
          wg.done();
        }, "signaller");
        mu.lock();
        waiting = true;
        cv.wait();
        mu.unlock();
        x.load();
        wg.wait();
      };
    });
  }
}

TEST_CASE("race: a context's cancel before a receive on its done channel", "[race]") {
  check_edge([](bool edge) -> Program {
    return [edge] {
      gr::shared<int> x(0, "x");
      auto [ctx, cancel] = gr::with_cancel(gr::Context::background());
      gr::WaitGroup wg;
      wg.add(1);
      gr::go([&, cancel = cancel] {
        if (edge) x.store(1);
        cancel();
        if (!edge) x.store(1);
        wg.done();
      }, "canceller");
      ctx.done().recv();
      x.load();
      wg.wait();
    };
  });
}

TEST_CASE("race: racy_counter is a race on every schedule, mutex_counter on none of 1,000 seeds", "[race]") {
  const gr::Scenario* racy = gr::find_scenario("racy_counter");
  const gr::Scenario* counted = gr::find_scenario("mutex_counter");
  REQUIRE(racy);
  REQUIRE(counted);
  const Tally r = tally(racy->body, 1000);
  CHECK(r.races == r.runs);
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    gr::RunOptions o;
    o.seed = seed;
    o.strategy = std::make_shared<gr::PctStrategy>(3, 60);
    CHECK(gr::run(racy->body, o).outcome == gr::Outcome::Race);
  }
  const Tally m = tally(counted->body, 1000);
  CHECK(m.ok == m.runs);
}

TEST_CASE("race: the report names both accesses; the race event ends the run", "[race]") {
  const gr::Scenario* racy = gr::find_scenario("racy_counter");
  REQUIRE(racy);
  // fifo: worker g2 does both its increments, then g3 loads what g2 stored.
  const auto out = run_with(racy->body, "fifo");
  const gr::RunResult& r = out.result;
  REQUIRE(r.outcome == gr::Outcome::Race);
  REQUIRE(r.races.size() == 1);
  const gr::DataRace& race = r.races[0];
  CHECK(race.cell == "n");
  CHECK(race.later.goroutine == 3);
  CHECK(race.later.goroutine_name == "worker");
  CHECK_FALSE(race.later.write);
  CHECK(race.later.site.file == "scenarios/racy_counter.cpp");
  CHECK(race.later.site.line == 20);
  CHECK(race.earlier.goroutine == 2);
  CHECK(race.earlier.goroutine_name == "worker");
  CHECK(race.earlier.write);
  CHECK(race.earlier.site == race.later.site);
  // The seqs are the two accesses' events; the last of g2's stores.
  CHECK(at_seq(out, race.later.seq).kind == gr::EventKind::Load);
  CHECK(at_seq(out, race.later.seq).gid == 3);
  CHECK(at_seq(out, race.earlier.seq).kind == gr::EventKind::Store);
  CHECK(at_seq(out, race.earlier.seq).gid == 2);
  CHECK(at_seq(out, race.earlier.seq).value == "2");
  const auto& last = out.events.back();
  CHECK(last.kind == gr::EventKind::Race);
  CHECK(last.seq == race.later.seq + 1);
  CHECK(last.gid == 3);
  CHECK(last.peer == 2);
  CHECK(last.cause == race.earlier.seq);
  CHECK(last.text == race.message());
  CHECK(r.message == race.message());
  CHECK(r.message == "data race on n: load by goroutine 3 (worker) at scenarios/racy_counter.cpp:20 (seq " +
                         std::to_string(race.later.seq) + ") and earlier store by goroutine 2 (worker) at "
                         "scenarios/racy_counter.cpp:20 (seq " + std::to_string(race.earlier.seq) + ")");
  CHECK(r.goroutine == 3);
  CHECK(r.site == race.later.site);
}

TEST_CASE("race: RaceMode::All goes on and reports each distinct pair once; the race stays the outcome", "[race]") {
  const gr::Scenario* racy = gr::find_scenario("racy_counter");
  REQUIRE(racy);
  const auto out = run_with(racy->body, "fifo", 1, gr::RaceMode::All);
  REQUIRE(out.result.outcome == gr::Outcome::Race);
  // g3's load and store race with g2's store; g4's with g3's are the same pairs.
  REQUIRE(out.result.races.size() == 2);
  CHECK_FALSE(out.result.races[0].later.write);
  CHECK(out.result.races[0].earlier.write);
  CHECK(out.result.races[1].later.write);
  CHECK(out.result.races[1].earlier.write);
  CHECK(out.result.races[1].later.goroutine == 3);
  CHECK(out.result.message == out.result.races[0].message());
  int race_events = 0;
  for (const auto& e : out.events) race_events += e.kind == gr::EventKind::Race;
  CHECK(race_events == 2);
  CHECK(out.events.back().kind == gr::EventKind::Exit);  // main returned: the run went on
  // A schedule that then loses an update still ends as the race.
  bool lost_update = false;
  for (std::uint64_t seed = 1; seed <= 100 && !lost_update; ++seed) {
    const auto o = run_with(racy->body, "random", seed, gr::RaceMode::All);
    for (const auto& e : o.events) lost_update |= e.kind == gr::EventKind::CheckFailed;
    if (lost_update) CHECK(o.result.outcome == gr::Outcome::Race);
  }
  CHECK(lost_update);
  // Off: no detector, the lost update is the failure.
  CHECK(run_with(racy->body, "fifo", 1, gr::RaceMode::Off).result.outcome == gr::Outcome::Ok);
}

TEST_CASE("race: a run without shared cells has no detector and no race events", "[race]") {
  const gr::Scenario* pool = gr::find_scenario("worker_pool");
  REQUIRE(pool);
  const auto first = run_with(pool->body, "random", 3);
  const auto off = run_with(pool->body, "random", 3, gr::RaceMode::Off);
  CHECK(first.result.outcome == gr::Outcome::Ok);
  CHECK(first.hash == off.hash);
}
