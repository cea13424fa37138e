// The recorder: what it stores equals what ran, event for event.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gorewind/storage/event_log_reader.hpp>

#include "log_support.hpp"
#include "support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;

namespace {

// StoredDigests is TraceHasher over a run's events as read back: the
// run's digest, each chunk's, and how many events there were.
struct StoredDigests {
  std::string hash;
  std::vector<std::string> chunks;
  std::uint64_t events = 0;
};

// stored_digests() reads the run's events once for all three.
StoredDigests stored_digests(st::EventLogReader& log, std::int64_t run) {
  StoredDigests out;
  gr::TraceHasher h;
  h.on_run_begin({});
  st::EventCursor c = log.events(run);
  st::StoredEvent e;
  while (c.next(e)) {
    h.on_event(st::EventView(e).event());
    if (++out.events % st::kDigestChunk == 0) out.chunks.push_back(gr::TraceHasher::hex_of(h.chunk_digest()));
  }
  if (out.events % st::kDigestChunk != 0) out.chunks.push_back(gr::TraceHasher::hex_of(h.chunk_digest()));
  out.hash = h.hex();
  return out;
}

// LiveStates keeps capture_state() at every seventh seq.
class LiveStates final : public gr::Observer {
 public:
  void on_event(const gr::Event& e) override {
    if (e.seq % 7 == 3) states[e.seq] = gr::capture_state();
  }
  std::map<std::uint64_t, gr::RuntimeState> states;
};

}  // namespace

TEST_CASE("record: stored events and their digest equal the run's, every scenario over 20 seeds (4 under the sanitizers)", "[record]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  for (const gr::Scenario* sc : gr::test::in_process_scenarios()) {
    for (std::uint64_t seed = 1; seed <= gr::test::repeats(20); ++seed) {
      INFO("scenario " << sc->name << ", seed " << seed);
      const gr::test::Recording r = gr::test::record_scenario(db, sc->name, "random", seed);
      CHECK(r.saved.trace_hash == r.live_hash);
      st::EventLogReader log(db);
      const st::RunRow row = log.run(r.saved.id);
      CHECK(row.state == st::RunState::Complete);
      CHECK(row.events == r.result.events);
      CHECK(row.outcome == gr::to_string(r.result.outcome));
      CHECK(row.trace_hash == r.live_hash);
      CHECK(row.seed == seed);
      const StoredDigests stored = stored_digests(log, r.saved.id);
      CHECK(stored.hash == r.live_hash);
      CHECK(stored.events == r.result.events);
      CHECK(log.chunk_digests(r.saved.id) == stored.chunks);
      // The snapshot at the end is the state after the last event.
      const auto last = log.snapshot_at(r.saved.id, r.result.events);
      REQUIRE(last.has_value());
      CHECK(last->seq == r.result.events);
    }
  }
}

TEST_CASE("record: the state rebuilt from a snapshot and the events after it equals the live state", "[record]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  for (const gr::Scenario* sc : gr::test::in_process_scenarios()) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      INFO("scenario " << sc->name << ", seed " << seed);
      gr::record::Recorder::Config config;
      config.snapshot_every = 16;
      gr::record::Recorder recorder(db, config);
      LiveStates live;
      gr::RunOptions o;
      o.seed = seed;
      o.observers = {&recorder, &live};
      gr::run(sc->body, o);
      const std::int64_t run = recorder.finish().id;
      st::EventLogReader log(db);
      // One pass over the events: at each kept seq the builder restarts from
      // the latest snapshot at or before it, whenever that is a new one, and
      // applies the events after it. This is what `state` does at any seq,
      // without decoding a chunk for each.
      st::EventCursor c = log.events(run);
      st::StoredEvent e;
      std::uint64_t read = 0;
      std::optional<std::uint64_t> base;
      std::optional<gr::StateBuilder> b;
      for (const auto& [seq, want] : live.states) {
        INFO("seq " << seq);
        const std::optional<gr::RuntimeState> snap = log.snapshot_at(run, seq);
        const std::uint64_t from = snap ? snap->seq : 0;
        if (base != from) {
          REQUIRE(from >= read);
          if (snap) b.emplace(*snap);
          else b.emplace();
          base = from;
        }
        while (read < seq) {
          REQUIRE(c.next(e));
          read = e.seq;
          if (read > from) b->apply(st::EventView(e).event());
        }
        REQUIRE(b->state() == want);
      }
    }
  }
}

TEST_CASE("record: the synchronous writer stores what the writer thread stores", "[record]") {
  gr::test::TempDir dir;
  gr::record::Recorder::Config sync;
  sync.writer.threading = st::EventLogWriter::Threading::Synchronous;
  sync.writer.batch_events = 100;  // many batches
  gr::record::Recorder::Config threaded;
  threaded.writer.batch_events = 100;
  const auto a = gr::test::record_scenario(dir.file("a.db"), "worker_pool", "random", 4, sync);
  const auto b = gr::test::record_scenario(dir.file("b.db"), "worker_pool", "random", 4, threaded);
  REQUIRE(a.result.events > 150);
  st::EventLogReader la(dir.file("a.db"));
  st::EventLogReader lb(dir.file("b.db"));
  st::EventCursor ca = la.events(a.saved.id);
  st::EventCursor cb = lb.events(b.saved.id);
  st::StoredEvent ea, eb;
  std::uint64_t n = 0;
  while (ca.next(ea)) {
    REQUIRE(cb.next(eb));
    REQUIRE(ea.seq == eb.seq);
    REQUIRE(ea.value == eb.value);
    REQUIRE(ea.site == eb.site);
    REQUIRE(ea.goroutine_name == eb.goroutine_name);
    ++n;
  }
  CHECK_FALSE(cb.next(eb));
  CHECK(n == a.result.events);
  CHECK(la.chunk_digests(a.saved.id) == lb.chunk_digests(b.saved.id));
  CHECK(la.chunk_digests(a.saved.id).size() == (a.result.events + st::kDigestChunk - 1) / st::kDigestChunk);
}

TEST_CASE("record: filters select by goroutine, channel, kind and seq range", "[record]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  const auto r = gr::test::record_scenario(db, "worker_pool", "random", 3);
  st::EventLogReader log(db);
  auto collect = [&](const st::EventQuery& f) {
    std::vector<st::StoredEvent> out;
    st::EventCursor c = log.events(f);
    st::StoredEvent e;
    while (c.next(e)) out.push_back(e);
    return out;
  };
  const auto all = collect(st::EventQuery(r.saved.id));
  REQUIRE(all.size() == r.result.events);
  st::EventQuery by_kind(r.saved.id);
  by_kind.kinds = {gr::EventKind::Send};
  by_kind.goroutines = {2};
  by_kind.from = 10;
  by_kind.to = 150;
  std::size_t expected = 0;
  for (const auto& e : all)
    expected += e.kind == gr::EventKind::Send && e.gid == 2 && e.seq >= 10 && e.seq <= 150;
  const auto sends = collect(by_kind);
  CHECK(sends.size() == expected);
  CHECK(expected > 0);
  st::EventQuery by_chan(r.saved.id);
  by_chan.object_name = "jobs";
  const auto jobs = collect(by_chan);
  REQUIRE_FALSE(jobs.empty());
  for (const auto& e : jobs) CHECK(e.object_name == "jobs");
  by_chan.object_name = std::to_string(jobs.front().obj);
  CHECK(collect(by_chan).size() == jobs.size());
  by_chan.object_name = "nope";
  CHECK_THROWS_WITH(log.events(by_chan), Catch::Contains("no channel 'nope'"));
}
