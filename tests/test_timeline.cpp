// The Timeline without any CLI: moves and their Stops on runs whose events
// are known one by one (handoff under fifo, as the debugger's test lists
// them), breakpoints with conditions, ignore counts, enabled flags and
// temporaries, watchpoints, next, the failure a failed run opens at, causes,
// process state shared by two Timelines, finish and its reverse, locals and
// print's expressions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/location.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/replay/timeline.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
namespace rp = gorewind::replay;
using rp::StopReason;

namespace {

std::int64_t record(const std::string& db, void (*fn)(), const std::string& strategy, std::uint64_t seed,
                    const std::string& scenario = "test program") {
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.scenario = scenario;
  return gr::record::record_run(fn, o, db).recorded.id;
}

rp::Stop stop(rp::Mark where, StopReason why, std::vector<int> ids = {}) { return rp::Stop{where, why, std::move(ids)}; }

rp::Breakpoint kind(std::int64_t run, gr::EventKind k) {
  st::EventQuery q(run);
  q.kinds = {k};
  return rp::Breakpoint(q);
}

// handoff under fifo: g1 main makes `value`, spawns g2 sender and parks in
// its receive (5); the sender sends 42 (7), main wakes (8), the sender
// exits (9), main receives (11) and exits (12).
struct Handoff {
  gr::test::TempDir dir;
  std::string db = dir.file("log.db");
  std::int64_t run = record(db, gr::find_scenario("handoff")->body, "fifo", 0, "handoff");
  st::EventLogReader log{db};
};

// The program finish is tried on: main's events in take() are one frame
// deeper than those in main itself.
[[gnu::noinline]] int take(gr::chan<int>& c) {
  gr::watch("stage", 1);
  const int v = c.recv();
  gr::watch("stage", 2);
  return v;
}
void two_takes() {
  gr::chan<int> c(0, "c");
  gr::go([&c] { c.send(7); c.send(8); }, "producer");
  const int a = take(c);
  gr::watch("first", a);
  const int b = take(c);
  gr::check(a + b == 15, "the two values");
}

// seq_of() is the seq of the n-th event (from 1) of goroutine g of kind k.
rp::Mark seq_of(st::EventLogReader& log, std::int64_t run, gr::Gid g, gr::EventKind k, int n = 1) {
  st::EventQuery q(run);
  q.goroutines = {g};
  q.kinds = {k};
  st::EventCursor c = log.events(q);
  st::StoredEvent e;
  for (int i = 0; i < n; ++i) REQUIRE(c.next(e));
  return e.seq;
}

}  // namespace

TEST_CASE("timeline: an ok run opens before its first event; step, back and seek stop at both ends", "[timeline]") {
  Handoff h;
  rp::Timeline t(h.log, h.run);
  CHECK(t.mark() == 0);
  CHECK(t.end() == 12);
  CHECK(t.failure() == 0);
  CHECK(t.step() == stop(1, StopReason::Step));
  CHECK(t.step(4) == stop(5, StopReason::Step));
  CHECK(t.back(2) == stop(3, StopReason::Step));
  CHECK(t.step(100) == stop(12, StopReason::End));
  CHECK(t.step() == stop(12, StopReason::End));
  CHECK(t.seek(4) == stop(4, StopReason::Step));
  CHECK(t.back(5) == stop(0, StopReason::Start));
  CHECK(t.back() == stop(0, StopReason::Start));
  CHECK_THROWS_AS(t.seek(13), rp::ReplayError);
  CHECK_THROWS_WITH(t.seek(13), "seq 13 is beyond run 1, which has 12 events");
  CHECK(t.mark() == 0);
  CHECK(t.event(7).kind == gr::EventKind::Send);
  CHECK_THROWS_WITH(t.event(0), "event 0 is missing from the log");
}

TEST_CASE("timeline: continue both ways stops at breakpoints; conditions, ignore counts, enable, temporaries",
          "[timeline]") {
  Handoff h;
  rp::Timeline t(h.log, h.run);
  CHECK(t.continue_forward() == stop(12, StopReason::End));
  CHECK(t.continue_backward() == stop(0, StopReason::Start));
  const int send = t.add(kind(h.run, gr::EventKind::Send));
  const int recv = t.add(kind(h.run, gr::EventKind::Recv));
  CHECK(send == 1);
  CHECK(recv == 2);
  CHECK(t.continue_forward() == stop(7, StopReason::Breakpoint, {1}));
  CHECK(t.continue_forward() == stop(11, StopReason::Breakpoint, {2}));
  CHECK(t.continue_forward() == stop(12, StopReason::End));
  CHECK(t.continue_backward() == stop(11, StopReason::Breakpoint, {2}));
  CHECK(t.breakpoint(send).hits == 1);
  CHECK(t.breakpoint(recv).hits == 2);
  t.remove(send);
  CHECK_THROWS_WITH(t.breakpoint(send), "no breakpoint 1");
  CHECK_THROWS_WITH(t.remove(send), "no breakpoint 1");
  CHECK(t.continue_backward() == stop(0, StopReason::Start));

  // Disabled, it neither stops nor counts.
  t.breakpoint(recv).enabled = false;
  CHECK(t.continue_forward() == stop(12, StopReason::End));
  CHECK(t.breakpoint(recv).hits == 2);
  t.remove(recv);

  // main's events: 2 3 4 5 8 10 11 12. Ignore 2: the third from here stops.
  st::EventQuery main_events(h.run);
  main_events.goroutines = {1};
  const int mains = t.add(rp::Breakpoint(main_events));
  t.breakpoint(mains).ignore = 2;
  t.seek(0);
  CHECK(t.continue_forward() == stop(4, StopReason::Breakpoint, {mains}));
  CHECK(t.breakpoint(mains).ignore == 0);
  CHECK(t.breakpoint(mains).hits == 3);
  // A condition on top of the place: main's events after seq 8.
  t.breakpoint(mains).condition = st::EventCondition::parse("seq > 8");
  CHECK(t.continue_forward() == stop(10, StopReason::Breakpoint, {mains}));
  CHECK(t.continue_backward() == stop(0, StopReason::Start));
  t.breakpoint(mains).condition.reset();
  CHECK(t.continue_forward() == stop(2, StopReason::Breakpoint, {mains}));

  // Two at one event both stop there; a temporary one goes with its stop.
  rp::Breakpoint once = kind(h.run, gr::EventKind::Spawn);
  once.temporary = true;
  const int spawn = t.add(once);
  CHECK(t.continue_forward() == stop(3, StopReason::Breakpoint, {mains}));
  CHECK(t.continue_forward() == stop(4, StopReason::Breakpoint, {mains, spawn}));
  CHECK_THROWS_AS(t.breakpoint(spawn), rp::ReplayError);
  CHECK(t.breakpoints().size() == 1);

  // A watchpoint alone says so; with a breakpoint at the same event, the
  // breakpoint wins the reason and both are listed.
  rp::Breakpoint exits = kind(h.run, gr::EventKind::Exit);
  exits.watchpoint = true;
  const int watch = t.add(exits);
  t.breakpoint(mains).enabled = false;
  CHECK(t.continue_forward() == stop(9, StopReason::Watchpoint, {watch}));
  t.breakpoint(mains).enabled = true;
  CHECK(t.continue_forward() == stop(10, StopReason::Breakpoint, {mains}));
  CHECK(t.continue_forward() == stop(11, StopReason::Breakpoint, {mains}));
  CHECK(t.continue_forward() == stop(12, StopReason::Breakpoint, {mains, watch}));
}

TEST_CASE("timeline: next and reverse-next follow one goroutine; a breakpoint met first stops them", "[timeline]") {
  Handoff h;
  rp::Timeline t(h.log, h.run);
  t.seek(4);
  CHECK(t.next(1) == stop(5, StopReason::Step));
  CHECK(t.next(1) == stop(8, StopReason::Step));  // over the sender's 6 and 7
  CHECK(t.reverse_next(1) == stop(5, StopReason::Step));
  CHECK(t.next(2) == stop(6, StopReason::Step));
  CHECK(t.reverse_next(2) == stop(0, StopReason::Start));  // the sender had no event before
  t.seek(9);
  CHECK(t.next(2) == stop(12, StopReason::End));  // it exited at 9
  const int send = t.add(kind(h.run, gr::EventKind::Send));
  t.seek(5);
  CHECK(t.next(1) == stop(7, StopReason::Breakpoint, {send}));
  CHECK(t.next(1) == stop(8, StopReason::Step));
}

TEST_CASE("timeline: where a failed run opens: the panic, the leaked park; continue stops at the failure",
          "[timeline]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const std::int64_t panicked = record(db, gr::find_scenario("close_twice")->body, "random", 1, "close_twice");
  const std::int64_t leaked = record(db, gr::find_scenario("leaky_handler")->body, "fifo", 0, "leaky_handler");
  st::EventLogReader log(db);

  rp::Timeline p(log, panicked);
  REQUIRE(p.run().outcome == "panic");
  CHECK(p.failure() == p.end());
  CHECK(p.mark() == p.end());
  CHECK(p.event(p.mark()).kind == gr::EventKind::Panic);

  rp::Timeline l(log, leaked);
  REQUIRE(l.run().outcome == "leak");
  const st::StoredEvent park = l.event(l.mark());
  CHECK(l.mark() == l.failure());
  CHECK(l.failure() < l.end());
  CHECK(park.kind == gr::EventKind::Park);
  CHECK(park.reason == gr::WaitReason::ChanSend);
  CHECK(park.object_name == "result");
  CHECK(park.goroutine_name == "worker");
  l.seek(0);
  CHECK(l.continue_forward() == rp::Stop{park.seq, StopReason::Failure, {}});
  CHECK(l.continue_forward() == rp::Stop{l.end(), StopReason::End, {}});
  // The worker's next event from before its park is the park: a failure.
  l.seek(park.seq - 1);
  CHECK(l.next(park.gid) == rp::Stop{park.seq, StopReason::Failure, {}});
}

TEST_CASE("timeline: cause_of is the send a receive took, the waker, the unlock a lock came after", "[timeline]") {
  Handoff h;
  rp::Timeline t(h.log, h.run);
  CHECK(t.cause_of(11) == 7);
  CHECK(t.cause_of(8) == 7);
  CHECK(t.cause_of(3) == 0);

  const std::int64_t mutex = record(h.db, gr::find_scenario("mutex_counter")->body, "fifo", 0, "mutex_counter");
  rp::Timeline m(h.log, mutex);
  st::EventQuery locks(mutex);
  locks.kinds = {gr::EventKind::Lock};
  st::EventCursor c = h.log.events(locks);
  st::StoredEvent e;
  REQUIRE(c.next(e));
  REQUIRE(c.next(e));
  const rp::Mark second_lock = e.seq;
  const rp::Mark cause = m.cause_of(second_lock);
  REQUIRE(cause != 0);
  CHECK(m.event(cause).kind == gr::EventKind::Unlock);
  CHECK(m.event(cause).obj == m.event(second_lock).obj);
  st::EventQuery unlocks(mutex);
  unlocks.kinds = {gr::EventKind::Unlock};
  unlocks.from = cause + 1;
  unlocks.to = second_lock;
  CHECK(h.log.count(unlocks) == 0);  // the last one before the lock
}

TEST_CASE("timeline: locations of breakpoints: lines, functions, kinds, goroutines, channels", "[timeline]") {
  Handoff h;
  const auto events_at = [&](const std::string& spec) {
    st::EventQuery q = rp::location_query(h.log, h.run, spec);
    std::vector<rp::Mark> out;
    st::EventCursor c = h.log.events(q);
    for (st::StoredEvent e; c.next(e);) out.push_back(e.seq);
    return out;
  };
  CHECK(events_at("scenarios/handoff.cpp:13") == std::vector<rp::Mark>{4, 6, 7, 9});
  CHECK(events_at("handoff.cpp:14") == std::vector<rp::Mark>{5, 8, 10, 11, 12});
  CHECK(events_at("send") == std::vector<rp::Mark>{7});
  CHECK(events_at("panic").empty());
  CHECK(events_at("g2") == std::vector<rp::Mark>{6, 7, 9});
  CHECK(events_at("chan value") == std::vector<rp::Mark>{3, 5, 7, 11});
  CHECK_THROWS_WITH(rp::location_query(h.log, h.run, "handoff.cpp:15"), "no event of the log is at handoff.cpp:15");
  CHECK_THROWS_WITH(rp::location_query(h.log, h.run, "chan nope"), "run 1 has no channel nope");
  CHECK_THROWS_WITH(rp::location_query(h.log, h.run, "nothing"),
                    "'nothing' is not an event kind, g<GID>, chan NAME, panic, FILE:LINE or a function with events");
}

TEST_CASE("timeline: two timelines share the log and the process states; frames, finish, locals, print",
          "[timeline]") {
  // The server is forked before this test opens any connection.
  rp::CheckpointServer server = rp::CheckpointServer::start();
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const std::int64_t run = record(db, two_takes, "fifo", 1);
  st::EventLogReader log(db);
  rp::ProcessStates states(server, db);
  rp::Timeline a(log, run);
  rp::Timeline b(log, run);
  CHECK_THROWS_WITH(a.process_state(), "this timeline has no process state");
  a.use_processes(&states, two_takes, "");
  b.use_processes(&states, two_takes, "");

  const rp::Mark first_recv = seq_of(log, run, 1, gr::EventKind::Recv, 1);
  const rp::Mark first_watch = seq_of(log, run, 1, gr::EventKind::Watch, 3);  // stage 1, stage 2, first
  const rp::Mark second_stage1 = seq_of(log, run, 1, gr::EventKind::Watch, 4);
  REQUIRE(a.event(first_watch).text == "first");
  a.seek(first_recv);
  b.seek(second_stage1);
  CHECK(a.mark() == first_recv);
  const std::vector<gr::Frame> in_take = a.frames(1);
  REQUIRE(in_take.size() >= 2);
  CHECK(in_take[0].function.find("take") != std::string::npos);
  CHECK(in_take[1].function.find("two_takes") != std::string::npos);
  CHECK(b.frames(1).size() == in_take.size());
  CHECK(a.frames(1) == in_take);  // a's answer again, after b's
  CHECK(a.process_state().seq == first_recv);
  CHECK_THROWS_WITH(a.frames(9), "no goroutine 9 at seq " + std::to_string(first_recv));

  // finish: main's next event back in two_takes; reverse-finish from the
  // second take: main's last event outside it.
  CHECK(a.finish(1) == rp::Stop{first_watch, StopReason::Step, {}});
  CHECK(a.frames(1).size() == in_take.size() - 1);
  CHECK(b.reverse_finish(1) == rp::Stop{first_watch, StopReason::Step, {}});
  CHECK_THROWS_WITH(a.finish(1, 1), "goroutine 1 has no frame 1 at seq " + std::to_string(first_watch));

  CHECK(a.locals(1) == std::map<std::string, std::string>{{"first", "7"}, {"stage", "2"}});
  CHECK(a.locals(2).empty());
  CHECK(a.evaluate("first") == "7");
  CHECK(a.evaluate("g") == "1");
  CHECK(a.evaluate("seq") == std::to_string(first_watch));
  CHECK(a.evaluate("value") == "7");
  CHECK(a.evaluate("value == 7 and goroutine == 1") == "true");
  CHECK(a.evaluate("value > 7") == "false");
  CHECK_THROWS_WITH(a.evaluate("nothing"),
                    "no watched value or event field 'nothing' at seq " + std::to_string(first_watch) +
                        " (watched: first, stage)");
  CHECK_THROWS_AS(a.evaluate("value >> 7"), st::ConditionError);

  // A function by its name: main's events in take(), with its four watches.
  st::EventCursor in_take_events = log.events(rp::location_query(log, run, "take"));
  int watches = 0, events = 0;
  for (st::StoredEvent e; in_take_events.next(e); ++events) {
    CHECK(e.gid == 1);
    CHECK(e.site.function.find("take(") != std::string::npos);
    watches += e.kind == gr::EventKind::Watch;
  }
  CHECK(watches == 4);
  int walked = 0;  // the same, walking every event of the run
  st::EventCursor all = log.events(run);
  for (st::StoredEvent e; all.next(e);) walked += e.site.function.find("take(") != std::string::npos;
  CHECK(events == walked);
  const st::EventQuery in_main = rp::location_query(log, run, "two_takes");
  CHECK(log.first(in_main)->site.function.find("two_takes(") != std::string::npos);
  CHECK(log.count(in_main) != 0);
}
