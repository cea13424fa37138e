// Process state: a recorded run re-executed from forked checkpoints gives,
// at every seq and whatever the order of the visits, the log's own state
// and the same native stacks; the stacks name the user's functions and
// lines; a program that no longer replays is said so.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "log_support.hpp"
#include "support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
namespace rp = gorewind::replay;
using namespace std::chrono_literals;

namespace {

std::int64_t record(const std::string& db, void (*fn)(), const std::string& strategy, std::uint64_t seed) {
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.scenario = "test program";
  return gr::record::record_run(fn, o, db).recorded.id;
}

// The program whose frames the test names: each function stays a frame of
// its own.
constexpr int kRecvLine = __LINE__ + 3;  // the line of c.recv() below
[[gnu::noinline]] int wait_for_value(gr::chan<int>& c) {
  gr::watch("stage", 1);
  const int v = c.recv();
  gr::watch("stage", 2);
  return v;
}
constexpr int kSleepLine = __LINE__ + 2;  // the line of gr::sleep() below
[[gnu::noinline]] void produce(gr::chan<int>& c) {
  gr::sleep(1ms);
  c.send(7);
}
void probe_program() {
  gr::chan<int> c(0, "c");
  gr::go([&c] { produce(c); }, "producer");
  gr::check(wait_for_value(c) == 7, "got the value");
}

// The altered programs: a global flipped between recording and the
// re-execution stands for an edit of the source.
int g_watched = 1;
void watching_program() {
  gr::chan<int> c(1, "c");
  gr::watch("w", g_watched);
  c.send(1);
  c.recv();
}
int g_rounds = 10;
void rounds_program() {
  gr::chan<int> c(0, "c");
  const int n = g_rounds;
  gr::go([&c, n] { for (int i = 0; i < n; ++i) c.send(i); }, "sender");
  for (int i = 0; i < n; ++i) c.recv();
}

const gr::NativeStack& stack_of(const rp::ProcessState& p, gr::Gid gid) {
  const auto it = std::find_if(p.stacks.begin(), p.stacks.end(), [&](const gr::NativeStack& s) { return s.gid == gid; });
  REQUIRE(it != p.stacks.end());
  return *it;
}

// check_matches_log() checks a process state against the log's state at
// its seq: the same state, a stack for each goroutine by gid, and frames for
// each blocked one (it has run; one switched to for the first time is
// running at that Switch, but has no stack yet).
void check_matches_log(const rp::ProcessState& p, const gr::RuntimeState& expected) {
  CHECK(p.state == expected);
  REQUIRE(p.stacks.size() == expected.goroutines.size());
  for (std::size_t i = 0; i < p.stacks.size(); ++i) {
    CHECK(p.stacks[i].gid == expected.goroutines[i].gid);
    if (expected.goroutines[i].status == gr::GoroutineStatus::Blocked) CHECK_FALSE(p.stacks[i].frames.empty());
  }
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

TEST_CASE("process: at every seq, in any order, the re-executed state is the log's and the stacks are the same",
          "[process]") {
  // The server is forked before this test opens any connection.
  rp::CheckpointServer server = rp::CheckpointServer::start();
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const gr::Scenario* pool = gr::find_scenario("worker_pool");
  const std::int64_t run = record(db, pool->body, "random", 7);
  st::EventLogReader log(db);
  const st::RunRow row = log.run(run);
  REQUIRE(row.events > 100);
  server.open(db, row, pool->body, 16);

  // Ascending, each step moves the same re-execution forward; shuffled,
  // nearly every visit forks from a checkpoint. Every seq, or under the
  // sanitizers about every fifth (repeats()) and the last.
  const std::uint64_t stride = (row.events + 1) / gr::test::repeats(row.events + 1);
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t s = 0; s <= row.events; s += stride) seqs.push_back(s);
  if (seqs.back() != row.events) seqs.push_back(row.events);
  std::map<std::uint64_t, rp::ProcessState> forward;
  for (std::uint64_t s : seqs) {
    INFO("seq " << s);
    const rp::ProcessState& p = forward.emplace(s, server.at(s)).first->second;
    CHECK(p.seq == s);
    check_matches_log(p, rp::log_state_at(log, run, s));
  }
  std::vector<std::uint64_t> shuffled = seqs;
  for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[(i * 7919) % i]);
  for (std::uint64_t s : shuffled) {
    INFO("seq " << s);
    const rp::ProcessState p = server.at(s);
    CHECK(p.seq == s);
    CHECK(p.state == forward.at(s).state);
    CHECK(p.stacks == forward.at(s).stacks);
  }
  // Checkpoints at seq 1, every 16 events and the last.
  std::vector<std::uint64_t> expected{1};
  for (std::uint64_t s = 16; s < row.events; s += 16) expected.push_back(s);
  expected.push_back(row.events);
  CHECK(server.checkpoints() == expected);
  CHECK_THROWS_WITH(server.at(row.events + 1), "process state: run " + std::to_string(run) + " has events 1 to " +
                                                   std::to_string(row.events));
}

TEST_CASE("process: a goroutine's frames are its own functions and lines, the runtime's left out", "[process]") {
  rp::CheckpointServer server = rp::CheckpointServer::start();
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const std::int64_t run = record(db, probe_program, "fifo", 1);
  st::EventLogReader log(db);
  const st::RunRow row = log.run(run);
  server.open(db, row, probe_program);
  // main parked in its receive, the producer not started yet; then the
  // producer asleep.
  std::uint64_t main_parks = 0, producer_sleeps = 0;
  st::EventCursor c = log.events(run);
  for (st::StoredEvent e; c.next(e);) {
    if (e.kind == gr::EventKind::Park && e.gid == 1 && !main_parks) main_parks = e.seq;
    if (e.kind == gr::EventKind::Park && e.gid == 2 && !producer_sleeps) producer_sleeps = e.seq;
  }
  REQUIRE(main_parks != 0);
  REQUIRE(producer_sleeps > main_parks);
  gorewind::record::Symbolizer symbols;

  const rp::ProcessState at_recv = server.at(main_parks);
  CHECK(at_recv.state.watched.at("stage") == "1");
  const std::vector<gr::Frame> main_frames = symbols.user_frames(stack_of(at_recv, 1));
  REQUIRE(main_frames.size() >= 2);
  INFO("innermost: " << main_frames[0].function << " at " << main_frames[0].file << ":" << main_frames[0].line);
  CHECK(main_frames[0].function.find("wait_for_value") != std::string::npos);
  CHECK(ends_with(main_frames[0].file, "tests/test_process_state.cpp"));
  CHECK(main_frames[0].line == kRecvLine);
  CHECK(main_frames[1].function.find("probe_program") != std::string::npos);
  CHECK(stack_of(at_recv, 2).frames.empty());  // runnable, never ran

  const rp::ProcessState asleep = server.at(producer_sleeps);
  const std::vector<gr::Frame> producer = symbols.user_frames(stack_of(asleep, 2));
  REQUIRE_FALSE(producer.empty());
  CHECK(producer[0].function.find("produce") != std::string::npos);
  CHECK(producer[0].line == kSleepLine);
  // The receive's frames are where they were: main has not moved.
  CHECK(symbols.user_frames(stack_of(asleep, 1)) == main_frames);
}

TEST_CASE("process: a program that no longer replays the run is said so", "[process]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  g_watched = 1;
  g_rounds = 10;
  const std::int64_t watching = record(db, watching_program, "fifo", 1);
  const std::int64_t rounds = record(db, rounds_program, "fifo", 1);
  // Edited, then the server forked: it re-executes the edited program.
  g_watched = 2;
  g_rounds = 5;
  rp::CheckpointServer server = rp::CheckpointServer::start();
  g_watched = 1;
  g_rounds = 10;
  st::EventLogReader log(db);

  const st::RunRow w = log.run(watching);
  server.open(db, w, watching_program);
  const rp::ProcessState p = server.at(w.events);
  const gr::RuntimeState logged = rp::log_state_at(log, watching, w.events);
  CHECK(logged.watched.at("w") == "1");
  CHECK(p.state.watched.at("w") == "2");
  CHECK(p.state != logged);

  const st::RunRow r = log.run(rounds);
  server.open(db, r, rounds_program);
  try {
    server.at(r.events);
    FAIL("a run that ends early answered at seq " << r.events);
  } catch (const rp::ReplayError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("no longer replays") != std::string::npos);
  }
}

TEST_CASE("process: goroutines past the ninth keep their ids and their stacks", "[process]") {
  rp::CheckpointServer server = rp::CheckpointServer::start();
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  // The sieve chains a filter goroutine per prime: 26 goroutines for 25.
  const gr::Scenario* sieve = gr::find_scenario("prime_sieve");
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.scenario = "prime_sieve";
  o.params = {{"n", "25"}};
  const std::int64_t run = gr::record::record_run(sieve->body, o, db).recorded.id;
  st::EventLogReader log(db);
  const st::RunRow row = log.run(run);
  server.open(db, row, sieve->body);
  std::size_t most = 0;
  for (std::uint64_t s = 1; s <= row.events; s += 7) {
    INFO("seq " << s);
    const rp::ProcessState p = server.at(s);
    check_matches_log(p, rp::log_state_at(log, run, s));
    most = std::max(most, p.stacks.size());
  }
  CHECK(most > 16);  // gids in two hex digits
}
