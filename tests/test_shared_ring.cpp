// The shared ring between a forked producer and its parent, and a recording
// streamed through it: what the parent writes equals what a recorder writes
// in process, and a child that dies leaves every event it made.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <gorewind/record/recorder.hpp>
#include <gorewind/record/ring_sink.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/record/shared_ring.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/run_position.hpp>
#include <gorewind/trace.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/log_stream_writer.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
using gr::record::Shared;
using gr::record::SharedRing;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kRing = 64 * 1024;

// pattern() is message number i of length n: every byte depends on both, so
// a message cut, shifted or swapped with another shows.
std::string pattern(std::size_t i, std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t k = 0; k < n; ++k) s[k] = static_cast<char>((k * 131 + i * 7 + (k >> 8)) & 0xff);
  return s;
}

// fork_child() runs body in a child process, which then exits 0 (1 when
// body throws): the child never returns into Catch.
pid_t fork_child(const std::function<void()>& body) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      body();
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("ring: messages of 0, 1, capacity-1 and 3*capacity bytes cross a fork whole and in order", "[ring]") {
  SharedRing ring(kRing);
  const std::vector<std::size_t> sizes{0, 1, kRing - 1, 3 * kRing, 5, 0, kRing, kRing - 8};
  const pid_t pid = fork_child([&] {
    for (std::size_t i = 0; i < sizes.size(); ++i) ring.put(pattern(i, sizes[i]));
  });
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    INFO("message " << i << " of " << sizes[i] << " bytes");
    auto m = ring.next(5000ms);
    REQUIRE(m);
    CHECK(m->size() == sizes[i]);
    CHECK(*m == pattern(i, sizes[i]));
  }
  const int status = wait_status(pid);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK_FALSE(ring.try_next());
  CHECK_FALSE(ring.next(10ms));
}

TEST_CASE("ring: a producer killed inside a put leaves every earlier message and no part of that one", "[ring]") {
  SharedRing ring(kRing);
  Shared<std::atomic<int>> done;
  constexpr int kBefore = 10;
  const pid_t pid = fork_child([&] {
    for (int i = 0; i < kBefore; ++i) {
      ring.put(pattern(i, 100 + i));
      done->store(i + 1);
    }
    // Three rings' worth with nobody taking: blocks once the ring is full,
    // part of it published.
    ring.put(pattern(kBefore, 3 * kRing));
    done->store(-1);
  });
  while (done->load() != kBefore) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(100ms);
  CHECK(done->load() == kBefore);  // still inside the big put
  kill(pid, SIGKILL);
  const int status = wait_status(pid);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  for (int i = 0; i < kBefore; ++i) {
    auto m = ring.try_next();
    REQUIRE(m);
    CHECK(*m == pattern(i, 100 + i));
  }
  // The big message's first part is in the ring: taken, never delivered.
  CHECK_FALSE(ring.try_next());
  CHECK_FALSE(ring.next(20ms));
}

TEST_CASE("ring: a producer killed at any moment while streaming: every finished put arrives, whole", "[ring]") {
  for (int round = 0; round < 5; ++round) {
    SharedRing ring(kRing);
    Shared<std::atomic<std::uint64_t>> finished;
    const pid_t pid = fork_child([&] {
      for (std::uint64_t i = 0;; ++i) {
        ring.put(pattern(i, (i * 977) % (2 * kRing)));
        finished->store(i + 1);
      }
    });
    std::uint64_t got = 0;
    auto check = [&](std::string_view m) {
      INFO("message " << got);
      REQUIRE(m == pattern(got, (got * 977) % (2 * kRing)));
      ++got;
    };
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20 + 15 * round);
    while (std::chrono::steady_clock::now() < until)
      if (auto m = ring.next(5ms)) check(*m);
    kill(pid, SIGKILL);
    wait_status(pid);
    while (auto m = ring.try_next()) check(*m);
    INFO("round " << round);
    CHECK(got >= finished->load());
    CHECK(got <= finished->load() + 1);  // the put under way may have published its end
  }
}

TEST_CASE("ring: the producer's time blocked on a full ring is counted", "[ring]") {
  SharedRing ring(kRing);
  CHECK(ring.producer_blocked_ns() == 0);
  const pid_t pid = fork_child([&] {
    for (int i = 0; i < 20; ++i) ring.put(pattern(i, 16 * 1024));
  });
  std::this_thread::sleep_for(200ms);  // a slow consumer
  for (int i = 0; i < 20; ++i) {
    auto m = ring.next(5000ms);
    REQUIRE(m);
    CHECK(*m == pattern(i, 16 * 1024));
  }
  wait_status(pid);
  CHECK(ring.producer_blocked_ns() >= 100'000'000);
  CHECK(ring.producer_blocked_ns() < 5'000'000'000);
}

TEST_CASE("ring: a capacity below 64 bytes is refused", "[ring]") {
  CHECK_THROWS_AS(SharedRing(63), std::invalid_argument);
}

namespace {

// Small batches and frequent snapshots, so a short run crosses several of each.
gr::record::Recorder::Config small_batches() {
  gr::record::Recorder::Config c;
  c.snapshot_every = 300;
  c.writer.batch_events = 256;
  return c;
}

gr::RunOptions sieve_options() {
  gr::RunOptions o;
  o.seed = 7;
  o.strategy = std::make_shared<gr::RecordingStrategy>(gr::make_strategy("random"));
  o.scenario = "prime_sieve";
  o.params = {{"n", "50"}};
  return o;
}

// record_in_process() records the sieve into db with the Recorder as usual.
gr::record::RecordedRun record_in_process(const std::string& db) {
  gr::record::Recorder recorder(db, small_batches());
  gr::RunOptions o = sieve_options();
  recorder.keep_schedule_of(static_cast<gr::RecordingStrategy*>(o.strategy.get()));
  o.observers = {&recorder};
  gr::run(gr::find_scenario("prime_sieve")->body, o);
  return recorder.finish();
}

// Last is what the child keeps current in shared memory for its parent.
struct Last {
  std::atomic<std::uint64_t> trace_hash{0};
  std::atomic<gr::Gid> gid{0};
};

// Dier is the child's observer after its recorder: it keeps Last current,
// and aborts right after event die_after (0: never).
class Dier final : public gr::Observer {
 public:
  Dier(const gr::record::Recorder& recorder, Last& last, std::uint64_t die_after)
      : recorder_(recorder), last_(last), die_after_(die_after) {}
  void on_event(const gr::Event& e) override {
    last_.trace_hash.store(recorder_.trace_hash());
    last_.gid.store(e.gid);
    if (e.seq == die_after_) {
      std::signal(SIGABRT, SIG_DFL);  // not Catch's handler: the child just dies
      const rlimit no_core{0, 0};
      setrlimit(RLIMIT_CORE, &no_core);
      std::abort();
    }
  }

 private:
  const gr::record::Recorder& recorder_;
  Last& last_;
  std::uint64_t die_after_;
};

// Streamed is what the parent saw of a child that recorded into the ring.
struct Streamed {
  int status = 0;
  std::int64_t run = 0;
  bool finished = false;
};

// record_in_child() records the sieve in a forked child streaming through
// a 64 KiB ring into writer, as the supervisor will; the child aborts after
// event die_after (0: never), and the parent cuts the run then.
Streamed record_in_child(st::LogStreamWriter& writer, std::uint64_t die_after, Last& last) {
  SharedRing ring(kRing);
  const pid_t pid = fork_child([&] {
    gr::record::RingSink sink(ring);
    gr::record::Recorder recorder(sink, small_batches());
    Dier dier(recorder, last, die_after);
    gr::RunOptions o = sieve_options();
    recorder.keep_schedule_of(static_cast<gr::RecordingStrategy*>(o.strategy.get()));
    o.observers = {&recorder, &dier};
    gr::run(gr::find_scenario("prime_sieve")->body, o);
    recorder.finish();
  });
  Streamed out;
  for (;;) {
    if (auto m = ring.next(50ms)) {
      writer.apply(*m);
      continue;
    }
    if (waitpid(pid, &out.status, WNOHANG) == pid) break;
  }
  while (auto m = ring.try_next()) writer.apply(*m);
  out.run = writer.run_id();
  out.finished = writer.finished();
  return out;
}

// differing_rows() is how many rows of table (columns cols, rows where)
// one log holds and the other not: main and the log attached as b.
std::int64_t differing_rows(st::Database& d, const std::string& table, const std::string& cols,
                            const std::string& where = "1") {
  const std::string a = "SELECT " + cols + " FROM main." + table + " WHERE " + where;
  const std::string b = "SELECT " + cols + " FROM b." + table + " WHERE " + where;
  return *d.query_int("SELECT count(*) FROM (" + a + " EXCEPT " + b + ")") +
         *d.query_int("SELECT count(*) FROM (" + b + " EXCEPT " + a + ")");
}

}  // namespace

TEST_CASE("ring: a run recorded in a child through the ring writes the rows the in-process recorder writes",
          "[ring]") {
  gr::test::TempDir dir;
  const std::string a = dir.file("a.db"), b = dir.file("b.db");
  const gr::record::RecordedRun direct = record_in_process(a);
  Shared<Last> last;
  st::LogStreamWriter writer(b, st::LogStreamWriter::Config{256, {}});
  const Streamed streamed = record_in_child(writer, 0, *last);
  CHECK((WIFEXITED(streamed.status) && WEXITSTATUS(streamed.status) == 0));
  REQUIRE(streamed.finished);
  REQUIRE(direct.id == 1);
  REQUIRE(streamed.run == 1);
  CHECK(writer.last_seq() == direct.events);
  CHECK(writer.stats().batches > 2);

  // The events as rows in both files, which an attached file's chunks are
  // not (the events table reads the main file's).
  gr::test::events_as_rows(a);
  gr::test::events_as_rows(b);
  st::Database d(a, st::Database::Mode::ExistingOnly);
  d.exec("ATTACH DATABASE '" + b + "' AS b");
  CHECK(*d.query_int("SELECT count(*) FROM b.events") == static_cast<std::int64_t>(direct.events));
  CHECK(*d.query_int("SELECT count(*) FROM b.snapshots") > 2);
  CHECK(*d.query_int("SELECT count(*) FROM b.schedules") >= 1);
  for (const char* table : {"events", "goroutines", "objects", "snapshots", "schedules", "chunk_digests", "sites"}) {
    INFO(table);
    CHECK(differing_rows(d, table, "*") == 0);
  }
  CHECK(differing_rows(d, "runs",
                       "scenario, seed, strategy, build, program, race_mode, state, outcome, message, failed_gid, "
                       "failed_site, events, vtime, trace_hash") == 0);
  CHECK(*d.query_int("SELECT count(*) FROM b.runs WHERE trace_hash = '" + direct.trace_hash + "'") == 1);
}

TEST_CASE("ring: a child that aborts after K events leaves K events, a crash event and a crash outcome", "[ring]") {
  constexpr std::uint64_t kEvents = 450;
  gr::test::TempDir dir;
  const std::string a = dir.file("a.db"), b = dir.file("b.db");
  record_in_process(a);
  Shared<Last> last;
  st::LogStreamWriter writer(b, st::LogStreamWriter::Config{256, {}});
  const Streamed streamed = record_in_child(writer, kEvents, *last);
  CHECK((WIFSIGNALED(streamed.status) && WTERMSIG(streamed.status) == SIGABRT));
  REQUIRE_FALSE(streamed.finished);
  CHECK(writer.last_seq() == kEvents);
  const std::string hash = gr::TraceHasher::hex_of(last->trace_hash.load());
  writer.cut(st::RunCut{"crash", "killed by SIGABRT", last->gid.load(), {}, hash});
  CHECK(writer.finished());
  const st::RunCut again{"crash", "again", 1, {}, hash};
  CHECK_THROWS_AS(writer.cut(again), st::StorageError);

  gr::test::events_as_rows(a);
  gr::test::events_as_rows(b);
  st::Database d(a, st::Database::Mode::ExistingOnly);
  d.exec("ATTACH DATABASE '" + b + "' AS b");
  CHECK(*d.query_int("SELECT count(*) FROM b.events") == static_cast<std::int64_t>(kEvents + 1));
  // The K events are the in-process run's first K.
  CHECK(differing_rows(d, "events", "*", "seq <= " + std::to_string(kEvents)) == 0);
  const std::string crash = "SELECT count(*) FROM b.events WHERE seq = " + std::to_string(kEvents + 1) +
                            " AND kind = " + std::to_string(static_cast<int>(gr::EventKind::Crash)) +
                            " AND gid = " + std::to_string(last->gid.load()) + " AND text = 'killed by SIGABRT'";
  CHECK(*d.query_int(crash) == 1);
  CHECK(*d.query_int("SELECT count(*) FROM b.runs WHERE state = 'complete' AND outcome = 'crash' AND message = "
                     "'killed by SIGABRT' AND events = " +
                     std::to_string(kEvents + 1) + " AND trace_hash = '" + hash + "' AND failed_gid = " +
                     std::to_string(last->gid.load())) == 1);
  // The snapshots that arrived, and one closing the run at the crash.
  CHECK(*d.query_int("SELECT count(*) FROM b.snapshots WHERE seq = 300") == 1);
  CHECK(*d.query_int("SELECT count(*) FROM b.snapshots WHERE seq = " + std::to_string(kEvents + 1)) == 1);
  CHECK(*d.query_int("SELECT count(*) FROM b.chunk_digests") == 1);
}

TEST_CASE("ring: through a 64 KiB ring, a program that faults right after event 100,000 leaves exactly those "
          "100,000 events, then the crash",
          "[ring]") {
  constexpr std::uint64_t kFaultAfter = 100'000;
  gr::test::TempDir dir;
  const std::string db = dir.file("fault.db");
  Shared<std::atomic<std::uint64_t>> before_loop;  // the program's own count of its events before its loop
  gr::record::SupervisedConfig config;
  config.ring_capacity = kRing;
  const gr::record::SupervisedRecording r = gr::record::record_supervised(
      [&](const gr::record::ChildRecorder& recorder) {
        gr::RunOptions o;
        o.seed = 1;
        o.scenario = "fault_at";
        recorder([&] {
          const std::uint64_t first = gr::run_position().seq;
          before_loop->store(first);
          // One Trace event each, so the program knows it has made
          // kFaultAfter events when the loop ends.
          for (std::uint64_t i = first; i < kFaultAfter; ++i) gr::trace("i", static_cast<std::int64_t>(i));
          // SIGSEGV in every build; an address the compiler cannot see, so
          // it neither warns nor reasons about the store.
          const volatile std::uintptr_t bad = 0x10;
          *reinterpret_cast<volatile int*>(bad) = 1;
        }, o);
        return 0;
      },
      db, config);
  CHECK(r.end.outcome == gr::Outcome::Crash);
  CHECK(r.end.fault.last_seq == kFaultAfter);
  REQUIRE(r.run_id == 1);

  st::Database d = st::open_log(db, st::Database::Mode::ReadOnly);
  CHECK(*d.query_int("SELECT count(*) FROM events WHERE run = 1 AND seq <= " + std::to_string(kFaultAfter)) ==
        static_cast<std::int64_t>(kFaultAfter));
  CHECK(*d.query_int("SELECT count(*) FROM events WHERE run = 1 AND kind = " +
                     std::to_string(static_cast<int>(gr::EventKind::Trace))) ==
        static_cast<std::int64_t>(kFaultAfter - before_loop->load()));
  CHECK(*d.query_int("SELECT max(seq) FROM events WHERE run = 1") == static_cast<std::int64_t>(kFaultAfter + 1));
  CHECK(*d.query_int("SELECT kind FROM events WHERE run = 1 AND seq = " + std::to_string(kFaultAfter + 1)) ==
        static_cast<int>(gr::EventKind::Crash));
  CHECK(*d.query_int("SELECT count(*) FROM runs WHERE id = 1 AND outcome = 'crash' AND state = 'complete' AND events = " +
                     std::to_string(kFaultAfter + 1)) == 1);
}
