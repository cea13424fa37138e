// test_events.cpp: exact event listings of small programs under the fifo
// strategy, with their sites and causal links. Each expected listing was
// written from Go's semantics and the event vocabulary of event.hpp, not
// copied from a run: a change to what the runtime reports shows up here line
// by line.
//
// Under fifo the running goroutine goes on until it blocks or yields, and the
// goroutine that became runnable first runs next; select takes the first
// ready case. Lines are EventLog::lines(): "g<gid> <kind> #<obj> peer=g<peer>
// [reason] case=<n> !ok =<value> '<text>'".
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::EventKind;
using gr::test::Recorded;
using gr::test::run_with;
using Lines = std::vector<std::string>;

namespace {

constexpr const char* kThisFile = "tests/test_events.cpp";

// sites() is each event's site line (0 for the runtime's own).
std::vector<unsigned> sites(const std::vector<Recorded>& ev) {
  std::vector<unsigned> out;
  for (const Recorded& e : ev) out.push_back(e.line);
  return out;
}

// causes() is each event's cause seq.
std::vector<std::uint64_t> causes(const std::vector<Recorded>& ev) {
  std::vector<std::uint64_t> out;
  for (const Recorded& e : ev) out.push_back(e.cause);
  return out;
}

// check_files() checks that every event of a goroutine carries this file as
// its site, except main's very first switch (main has done nothing yet) and
// the runtime's own events (gid 0), which have no site.
void check_files(const std::vector<Recorded>& ev) {
  for (const Recorded& e : ev) {
    INFO("event " << e.seq << " " << gr::to_string(e.kind) << " of g" << e.gid);
    if (e.gid == 0 || (e.seq == 2 && e.kind == EventKind::Switch)) {
      CHECK(e.file.empty());
      CHECK(e.line == 0);
    } else {
      CHECK(e.file == kThisFile);
    }
  }
}

bool is_wake_cause(EventKind k) {
  return k == EventKind::Send || k == EventKind::Recv || k == EventKind::Close || k == EventKind::Unlock ||
         k == EventKind::WgAdd || k == EventKind::TimerFire || k == EventKind::RUnlock || k == EventKind::OnceEnd ||
         k == EventKind::CondSignal || k == EventKind::CondBroadcast;
}

// check_causes() checks the causal links of a run: seqs count up from 1;
// every cause is an earlier event; every Wake names its waker and an event of
// that waker that can wake; every operation completed by another goroutine
// after a park (Recv, Send, Lock, WgWait, Select) points at the operation
// that completed it, on the same object; every Recv that parked has a cause.
void check_causes(const std::vector<Recorded>& ev) {
  std::map<gr::Gid, const Recorded*> parked;  // a goroutine's park not yet followed by its completion
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const Recorded& e = ev[i];
    INFO("event " << e.seq << " " << gr::to_string(e.kind) << " of g" << e.gid << " cause " << e.cause);
    REQUIRE(e.seq == i + 1);
    REQUIRE(e.cause < e.seq);
    const Recorded* c = e.cause ? &ev[e.cause - 1] : nullptr;
    const std::string cause_text =
        c ? std::string(gr::to_string(c->kind)) + " of g" + std::to_string(c->gid) + " on #" + std::to_string(c->obj)
          : "none";
    INFO("cause: " << cause_text);
    switch (e.kind) {
      case EventKind::Park:
        parked[e.gid] = &e;
        break;
      case EventKind::Wake: {
        REQUIRE(c != nullptr);
        CHECK(c->gid == e.peer);
        CHECK(is_wake_cause(c->kind));
        REQUIRE(parked.count(e.gid) == 1);
        const Recorded& p = *parked[e.gid];
        if (p.reason == gr::WaitReason::Sleep) {
          CHECK(c->kind == EventKind::TimerFire);
          CHECK(c->obj == p.obj);
        }
        if (p.reason == gr::WaitReason::Mutex) CHECK((c->kind == EventKind::Unlock && c->obj == p.obj));
        if (p.reason == gr::WaitReason::WaitGroup) CHECK((c->kind == EventKind::WgAdd && c->obj == p.obj));
        if (p.reason == gr::WaitReason::ChanRecv || p.reason == gr::WaitReason::ChanSend) CHECK(c->obj == p.obj);
        break;
      }
      case EventKind::Recv: {
        const bool was_parked = parked.count(e.gid) && (parked[e.gid]->reason == gr::WaitReason::ChanRecv ||
                                                        parked[e.gid]->reason == gr::WaitReason::Select);
        if (parked.count(e.gid) && parked[e.gid]->reason == gr::WaitReason::ChanRecv) CHECK(parked[e.gid]->obj == e.obj);
        if (was_parked) {
          REQUIRE(c != nullptr);
          parked.erase(e.gid);
        }
        if (c) {
          if (c->kind == EventKind::Send) {
            CHECK(c->obj == e.obj);
            CHECK(c->peer == e.gid);
            CHECK(c->value == e.value);
            CHECK(e.ok);
            CHECK(e.peer == c->gid);
          } else {
            CHECK(c->kind == EventKind::Close);
            CHECK(c->obj == e.obj);
            CHECK_FALSE(e.ok);
          }
        }
        break;
      }
      case EventKind::Send:
        if (parked.count(e.gid) && (parked[e.gid]->reason == gr::WaitReason::ChanSend ||
                                    parked[e.gid]->reason == gr::WaitReason::Select)) {
          REQUIRE(c != nullptr);
          parked.erase(e.gid);
        }
        if (c) {
          CHECK(c->kind == EventKind::Recv);
          CHECK(c->obj == e.obj);
          if (e.peer != 0) CHECK(c->gid == e.peer);
        }
        break;
      case EventKind::Lock:
        if (c) {
          CHECK((c->kind == EventKind::Unlock || c->kind == EventKind::RUnlock));  // RUnlock: an RWMutex writer
          CHECK(c->obj == e.obj);
        }
        if (parked.count(e.gid) && parked[e.gid]->reason == gr::WaitReason::Mutex) {
          REQUIRE(c != nullptr);
          parked.erase(e.gid);
        }
        break;
      case EventKind::WgWait:
        if (c) {
          CHECK(c->kind == EventKind::WgAdd);
          CHECK(c->obj == e.obj);
        }
        if (parked.count(e.gid) && parked[e.gid]->reason == gr::WaitReason::WaitGroup) {
          REQUIRE(c != nullptr);
          parked.erase(e.gid);
        }
        break;
      case EventKind::Select:
        if (c) {
          CHECK((c->kind == EventKind::Send || c->kind == EventKind::Recv || c->kind == EventKind::Close));
          CHECK(c->obj == e.obj);
          CHECK(e.ready.empty());
        }
        break;
      case EventKind::Switch:
      case EventKind::Spawn:
      case EventKind::Make:
      case EventKind::Yield:
      case EventKind::Exit:
      case EventKind::Close:
      case EventKind::Unlock:
      case EventKind::WgAdd:
      case EventKind::Sleep:
      case EventKind::TimerFire:
      case EventKind::Panic:
      case EventKind::CheckFailed:
        CHECK(e.cause == 0);
        if (e.kind == EventKind::Sleep || e.kind == EventKind::Exit) parked.erase(e.gid);
        break;
      default:  // the sync primitives beyond Mutex and WaitGroup are checked in their own tests
        break;
    }
  }
}

}  // namespace

TEST_CASE("events: unbuffered handoff, the receiver parks first", "[events]") {
  unsigned l_make = 0, l_go = 0, l_send = 0, l_recv = 0;
  int got = 0;
  auto out = run_with(
      [&] {
        l_make = __LINE__; gr::chan<int> c(0, "c");
        l_go = __LINE__; gr::go([&] {
          l_send = __LINE__; c.send(42);
        }, "sender");
        l_recv = __LINE__; got = c.recv();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(got == 42);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'c'",
                         "g1 spawn peer=g2 'sender'",
                         "g1 park #1 [chan receive]",
                         "g2 switch",
                         "g2 send #1 peer=g1 =42",
                         "g1 wake peer=g2",
                         "g2 exit",
                         "g1 switch",
                         "g1 recv #1 peer=g2 =42",
                         "g1 exit",
                     });
  CHECK(causes(out.events) == std::vector<std::uint64_t>{0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 7, 0});
  CHECK(sites(out.events) ==
        std::vector<unsigned>{0, 0, l_make, l_go, l_recv, l_go, l_send, l_recv, l_send, l_recv, l_recv, l_recv});
  CHECK(out.events[2].amount == 0);  // capacity
  check_files(out.events);
  check_causes(out.events);
  CHECK(out.result.events == 12);
  CHECK(out.result.goroutines == 2);
}

TEST_CASE("events: unbuffered handoff, the sender parks first", "[events]") {
  unsigned l_make = 0, l_go = 0, l_send = 0, l_recv = 0;
  int got = 0;
  auto out = run_with(
      [&] {
        l_make = __LINE__; gr::chan<int> c(0, "c");
        l_go = __LINE__; gr::go([&] {
          l_recv = __LINE__; got = c.recv();
        }, "receiver");
        l_send = __LINE__; c.send(7);
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(got == 7);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'c'",
                         "g1 spawn peer=g2 'receiver'",
                         "g1 park #1 [chan send] =7",  // a parked send shows the value it offers
                         "g2 switch",
                         "g2 recv #1 peer=g1 =7",
                         "g1 wake peer=g2",
                         "g2 exit",
                         "g1 switch",
                         "g1 send #1 peer=g2",  // completed by the receive: cause, no value
                         "g1 exit",
                     });
  CHECK(causes(out.events) == std::vector<std::uint64_t>{0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 7, 0});
  CHECK(sites(out.events) ==
        std::vector<unsigned>{0, 0, l_make, l_go, l_send, l_go, l_recv, l_send, l_recv, l_send, l_send, l_send});
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: a receive from a full buffer lets the blocked sender in", "[events]") {
  unsigned l_go = 0, l_send1 = 0, l_send2 = 0, l_yield1 = 0, l_recv1 = 0, l_recv2 = 0, l_yield2 = 0;
  int a = 0, b = 0;
  std::size_t len_after_first = 99;
  auto out = run_with(
      [&] {
        gr::chan<int> c(1, "c");
        l_go = __LINE__; gr::go([&] {
          l_send1 = __LINE__; c.send(1);
          l_send2 = __LINE__; c.send(2);
        }, "sender");
        l_yield1 = __LINE__; gr::yield();
        l_recv1 = __LINE__; a = c.recv();
        len_after_first = c.len();  // the blocked sender's value moved into the buffer
        l_recv2 = __LINE__; b = c.recv();
        l_yield2 = __LINE__; gr::yield();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(len_after_first == 1);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'c'",
                         "g1 spawn peer=g2 'sender'",
                         "g1 yield",
                         "g2 switch",
                         "g2 send #1 =1",  // into the buffer: no peer
                         "g2 park #1 [chan send] =2",
                         "g1 switch",
                         "g1 recv #1 =1 '2'",  // from the buffer: no peer; text: the value let in
                         "g2 wake peer=g1",
                         "g1 recv #1 =2",  // fifo: main goes on; 2 is already buffered
                         "g1 yield",
                         "g2 switch",
                         "g2 send #1",  // its value went into the buffer, not to a receiver
                         "g2 exit",
                         "g1 switch",
                         "g1 exit",
                     });
  CHECK(out.events[2].amount == 1);  // capacity
  CHECK(causes(out.events) ==
        std::vector<std::uint64_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0});
  CHECK(sites(out.events) == std::vector<unsigned>{0, 0, l_go - 1, l_go, l_yield1, l_go, l_send1, l_send2, l_yield1,
                                                   l_recv1, l_send2, l_recv2, l_yield2, l_send2, l_send2, l_send2,
                                                   l_yield2, l_yield2});
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: select with two ready cases; fifo takes the first", "[events]") {
  unsigned l_sel1 = 0, l_sel2 = 0;
  int first = -1, second = -1, got1 = 0, got2 = 0;
  auto out = run_with(
      [&] {
        gr::chan<int> a(1, "a");
        gr::chan<int> b(1, "b");
        a.send(1);
        b.send(2);
        l_sel1 = __LINE__ + 2;  // the line of the first case
        first = gr::select(
            gr::recv(a, [&](int v, bool) { got1 = v; }),
            gr::recv(b, [&](int v, bool) { got1 = -v; }));
        // Only b is ready now.
        l_sel2 = __LINE__; second = gr::select(gr::recv(a, [&](int v) { got2 = -v; }), gr::recv(b, [&](int v) { got2 = v; }));
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(first == 0);
  CHECK(got1 == 1);
  CHECK(second == 1);
  CHECK(got2 == 2);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'a'",
                         "g1 make #2 'b'",
                         "g1 send #1 =1",
                         "g1 send #2 =2",
                         "g1 select #1 case=0",
                         "g1 recv #1 =1",
                         "g1 select #2 case=1",
                         "g1 recv #2 =2",
                         "g1 exit",
                     });
  CHECK(out.events[6].ready == std::vector<std::int32_t>{0, 1});
  CHECK(out.events[7].select_case == 0);
  CHECK(out.events[8].ready == std::vector<std::int32_t>{1});
  CHECK(out.events[9].select_case == 1);
  CHECK(out.events[4].select_case == -1);  // a plain send is no select case
  CHECK(out.events[6].line == l_sel1);
  CHECK(out.events[7].line == l_sel1);  // the receive a select makes is reported at the select
  CHECK(out.events[8].line == l_sel2);
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: close wakes both receivers, which get the zero value", "[events]") {
  unsigned l_close = 0, l_wait = 0, l_recv = 0;
  std::vector<std::pair<int, bool>> got(2, {-1, true});
  auto out = run_with(
      [&] {
        gr::chan<int> c(0, "c");
        gr::WaitGroup wg("wg");
        wg.add(2);
        for (int i = 0; i < 2; ++i)
          gr::go([&, i] {
            l_recv = __LINE__; got[static_cast<std::size_t>(i)] = c.recv_ok();
            wg.done();
          }, i == 0 ? "r1" : "r2");
        gr::yield();
        l_close = __LINE__; c.close();
        l_wait = __LINE__; wg.wait();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(got == std::vector<std::pair<int, bool>>{{0, false}, {0, false}});
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'c'",
                         "g1 make #2 'wg'",
                         "g1 wg_add #2",
                         "g1 spawn peer=g2 'r1'",
                         "g1 spawn peer=g3 'r2'",
                         "g1 yield",
                         "g2 switch",
                         "g2 park #1 [chan receive]",
                         "g3 switch",
                         "g3 park #1 [chan receive]",
                         "g1 switch",
                         "g1 close #1",
                         "g2 wake peer=g1",
                         "g3 wake peer=g1",
                         "g1 park #2 [sync.WaitGroup.Wait]",
                         "g2 switch",
                         "g2 recv #1 !ok =0",
                         "g2 wg_add #2",
                         "g2 exit",
                         "g3 switch",
                         "g3 recv #1 !ok =0",
                         "g3 wg_add #2",
                         "g1 wake peer=g3",
                         "g3 exit",
                         "g1 switch",
                         "g1 wg_wait #2",
                         "g1 exit",
                     });
  CHECK(causes(out.events) == std::vector<std::uint64_t>{0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 14,
                                                         14, 0, 0, 14, 0, 0, 0, 14, 0, 24, 0, 0, 24, 0});
  CHECK(out.events[13].line == l_close);
  CHECK(out.events[16].line == l_wait);
  CHECK(out.events[18].line == l_recv);
  CHECK(out.events[22].line == l_recv);
  CHECK(out.events[4].amount == 2);
  CHECK(out.events[19].amount == -1);
  CHECK(out.events[23].amount == -1);
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: mutex contention through std::lock_guard", "[events]") {
  unsigned l_lock = 0, l_unlock = 0, l_guard = 0, l_wait = 0;
  int counter = 0;
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        gr::WaitGroup wg("wg");
        l_lock = __LINE__; mu.lock();
        wg.add(1);
        gr::go([&] {
          {
            l_guard = __LINE__; std::lock_guard<gr::Mutex> guard(mu);
            ++counter;
          }
          wg.done();
        }, "worker");
        gr::yield();
        l_unlock = __LINE__; mu.unlock();
        l_wait = __LINE__; wg.wait();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(counter == 1);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'mu'",
                         "g1 lock #1",
                         "g1 make #2 'wg'",
                         "g1 wg_add #2",
                         "g1 spawn peer=g2 'worker'",
                         "g1 yield",
                         "g2 switch",
                         "g2 park #1 [sync.Mutex.Lock]",
                         "g1 switch",
                         "g1 unlock #1",
                         "g2 wake peer=g1",
                         "g1 park #2 [sync.WaitGroup.Wait]",
                         "g2 switch",
                         "g2 lock #1",
                         "g2 unlock #1",
                         "g2 wg_add #2",
                         "g1 wake peer=g2",
                         "g2 exit",
                         "g1 switch",
                         "g1 wg_wait #2",
                         "g1 exit",
                     });
  CHECK(causes(out.events) == std::vector<std::uint64_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                         12, 0, 0, 12, 0, 0, 18, 0, 0, 18, 0});
  CHECK(out.events[2].line == l_lock);  // the mutex is made where it is first used
  CHECK(out.events[3].line == l_lock);
  CHECK(out.events[9].line == l_guard);  // the guard's line, not <mutex>'s
  CHECK(out.events[11].line == l_unlock);
  CHECK(out.events[13].line == l_wait);
  CHECK(out.events[15].line == l_guard);
  CHECK(out.events[16].line == l_guard);  // the guard's destructor unlocks at the guard's line
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: a woken mutex waiter that loses the race waits at the head", "[events]") {
  std::vector<int> order;
  auto out = run_with(
      [&] {
        gr::Mutex mu("mu");
        gr::WaitGroup wg("wg");
        mu.lock();
        wg.add(2);
        for (int i = 1; i <= 2; ++i)
          gr::go([&, i] {
            mu.lock();
            order.push_back(i);
            mu.unlock();
            wg.done();
          }, i == 1 ? "w1" : "w2");
        gr::yield();  // both workers queue on the mutex
        mu.unlock();  // wakes w1 ...
        mu.lock();    // ... but main takes the mutex again first (Go's normal mode)
        gr::yield();  // w1 finds it locked and goes back to the head of the queue
        mu.unlock();  // wakes w1 again, not w2
        wg.wait();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(order == std::vector<int>{1, 2});
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'mu'",
                         "g1 lock #1",
                         "g1 make #2 'wg'",
                         "g1 wg_add #2",
                         "g1 spawn peer=g2 'w1'",
                         "g1 spawn peer=g3 'w2'",
                         "g1 yield",
                         "g2 switch",
                         "g2 park #1 [sync.Mutex.Lock]",
                         "g3 switch",
                         "g3 park #1 [sync.Mutex.Lock]",
                         "g1 switch",
                         "g1 unlock #1",
                         "g2 wake peer=g1",
                         "g1 lock #1",
                         "g1 yield",
                         "g2 switch",
                         "g2 park #1 [sync.Mutex.Lock]",
                         "g1 switch",
                         "g1 unlock #1",
                         "g2 wake peer=g1",
                         "g1 park #2 [sync.WaitGroup.Wait]",
                         "g2 switch",
                         "g2 lock #1",
                         "g2 unlock #1",
                         "g3 wake peer=g2",
                         "g2 wg_add #2",
                         "g2 exit",
                         "g3 switch",
                         "g3 lock #1",
                         "g3 unlock #1",
                         "g3 wg_add #2",
                         "g1 wake peer=g3",
                         "g3 exit",
                         "g1 switch",
                         "g1 wg_wait #2",
                         "g1 exit",
                     });
  CHECK(out.events[15].cause == 15);
  CHECK(out.events[22].cause == 22);
  CHECK(out.events[25].cause == 22);  // w1 got the lock from main's second unlock
  CHECK(out.events[31].cause == 27);
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: WaitGroup wait is released by the last done", "[events]") {
  unsigned l_add = 0, l_wait = 0;
  auto out = run_with(
      [&] {
        gr::WaitGroup wg("wg");
        l_add = __LINE__; wg.add(2);
        gr::go([&] { wg.done(); }, "w1");
        gr::go([&] { wg.done(); }, "w2");
        l_wait = __LINE__; wg.wait();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'wg'",
                         "g1 wg_add #1",
                         "g1 spawn peer=g2 'w1'",
                         "g1 spawn peer=g3 'w2'",
                         "g1 park #1 [sync.WaitGroup.Wait]",
                         "g2 switch",
                         "g2 wg_add #1",
                         "g2 exit",
                         "g3 switch",
                         "g3 wg_add #1",
                         "g1 wake peer=g3",
                         "g3 exit",
                         "g1 switch",
                         "g1 wg_wait #1",
                         "g1 exit",
                     });
  CHECK(out.events[3].amount == 2);
  CHECK(out.events[8].amount == -1);
  CHECK(out.events[11].amount == -1);
  CHECK(out.events[12].cause == 12);
  CHECK(out.events[15].cause == 12);
  CHECK(out.events[2].line == l_add);
  CHECK(out.events[3].line == l_add);
  CHECK(out.events[6].line == l_wait);
  CHECK(out.events[8].line == l_add + 1);
  CHECK(out.events[11].line == l_add + 2);
  CHECK(out.events[15].line == l_wait);
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: sleep and an after() timer fire at exact virtual times", "[events]") {
  unsigned l_sleep = 0, l_after = 0, l_recv = 0;
  std::int64_t t_slept = -1, t_received = -1, value = -1;
  auto out = run_with(
      [&] {
        l_sleep = __LINE__; gr::sleep(5ms);
        t_slept = gr::now().time_since_epoch().count();
        l_after = __LINE__; gr::chan<gr::Time> t = gr::after(3ms);
        l_recv = __LINE__; value = t.recv().time_since_epoch().count();
        t_received = gr::now().time_since_epoch().count();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(t_slept == 5'000'000);
  CHECK(t_received == 8'000'000);
  CHECK(value == 8'000'000);
  CHECK(out.result.vtime_ns == 8'000'000);
  Lines timed;
  for (std::size_t i = 0; i < out.lines.size(); ++i)
    timed.push_back(out.lines[i] + " @" + std::to_string(out.events[i].vtime_ns));
  CHECK(timed == Lines{
                     "g0 spawn peer=g1 'main' @0",
                     "g1 switch @0",
                     "g1 sleep #1 @0",
                     "g1 park #1 [sleep] @0",
                     "g0 timer_fire #1 @5000000",
                     "g1 wake @5000000",  // woken by the runtime: no peer
                     "g1 make #2 'after' @5000000",  // the channel (capacity 1)
                     "g1 make #3 'after' @5000000",  // its timer (deadline 8ms)
                     "g1 park #2 [chan receive] @5000000",
                     "g0 timer_fire #3 @8000000",
                     "g0 send #2 peer=g1 =8000000ns @8000000",
                     "g1 wake @8000000",
                     "g1 recv #2 =8000000ns @8000000",
                     "g1 exit @8000000",
                 });
  CHECK(out.events[2].amount == 5'000'000);
  CHECK(out.events[6].amount == 1);
  CHECK(out.events[7].amount == 8'000'000);
  CHECK(causes(out.events) == std::vector<std::uint64_t>{0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 11, 11, 0});
  CHECK(sites(out.events) == std::vector<unsigned>{0, 0, l_sleep, l_sleep, 0, l_sleep, l_after, l_after, l_recv, 0, 0,
                                                   l_recv, l_recv, l_recv});
  check_files(out.events);
  check_causes(out.events);
}

TEST_CASE("events: timers due at the same instant fire in the order set under fifo", "[events]") {
  std::vector<std::string> woke;
  auto out = run_with(
      [&] {
        gr::WaitGroup wg("wg");
        wg.add(2);
        gr::go([&] { gr::sleep(10ms); woke.push_back("a"); wg.done(); }, "a");
        gr::go([&] { gr::sleep(10ms); woke.push_back("b"); wg.done(); }, "b");
        wg.wait();
      },
      "fifo");
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  CHECK(woke == std::vector<std::string>{"a", "b"});
  CHECK(out.result.vtime_ns == 10'000'000);
  CHECK(out.lines == Lines{
                         "g0 spawn peer=g1 'main'",
                         "g1 switch",
                         "g1 make #1 'wg'",
                         "g1 wg_add #1",
                         "g1 spawn peer=g2 'a'",
                         "g1 spawn peer=g3 'b'",
                         "g1 park #1 [sync.WaitGroup.Wait]",
                         "g2 switch",
                         "g2 sleep #2",
                         "g2 park #2 [sleep]",
                         "g3 switch",
                         "g3 sleep #3",
                         "g3 park #3 [sleep]",
                         "g0 timer_fire #2",
                         "g2 wake",
                         "g0 timer_fire #3",
                         "g3 wake",
                         "g2 switch",
                         "g2 wg_add #1",
                         "g2 exit",
                         "g3 switch",
                         "g3 wg_add #1",
                         "g1 wake peer=g3",
                         "g3 exit",
                         "g1 switch",
                         "g1 wg_wait #1",
                         "g1 exit",
                     });
  check_causes(out.events);
}

TEST_CASE("events: causes and sites are consistent in every scenario", "[events]") {
  const auto all = gr::test::in_process_scenarios();
  if (all.empty()) WARN("no scenario registered yet");
  for (const gr::Scenario* sc : all) {
    for (const char* strategy : {"fifo", "random"}) {
      for (std::uint64_t seed = 1; seed <= (std::string(strategy) == "fifo" ? 1u : 20u); ++seed) {
        INFO(sc->name << " " << strategy << " seed " << seed);
        auto out = run_with(sc->body, strategy, seed);
        check_causes(out.events);
        CHECK(out.result.events == out.events.size());
        for (const Recorded& e : out.events) {
          // Sites are relative to the source tree and never a standard header.
          CHECK_FALSE(e.file.starts_with("/"));
          if (e.gid != 0 && !e.file.empty()) CHECK(e.file.starts_with("scenarios/"));
        }
        if (!out.result.site.empty()) CHECK(out.result.site.file.starts_with("scenarios/"));
        for (const gr::BlockedGoroutine& b : out.result.blocked) CHECK(b.site.file.starts_with("scenarios/"));
      }
    }
  }
}
