// Seeing a run: the wait-for graph (live and from the log), the Chrome trace
// and DOT exports, the raw JSON export and the profiles. CLI tests need
// GOREWIND_BIN (set by ctest).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

namespace gr = gorewind;
using namespace gorewind::test;

namespace {

gr::RunResult run_scenario(const char* name, std::uint64_t seed, const std::string& strategy = "random") {
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.scenario = name;
  return gr::run(gr::find_scenario(name)->body, o);
}

// wakers() is an object's wakers as "g3 holder, g4 any".
std::string wakers(const gr::WaitedObject& o) {
  std::string s;
  for (const gr::Waker& w : o.wakers)
    s += (s.empty() ? "g" : ", g") + std::to_string(w.gid) + " " + std::string(gr::to_string(w.role));
  return s;
}

// A goroutine that locks a mutex it holds, one blocked on a channel whose
// other side waits in a select, and one waiting for a WaitGroup.
void tangle() {
  gr::Mutex mu("mu");
  gr::chan<int> a(0, "a");
  gr::chan<int> b(0, "b");
  gr::WaitGroup wg("wg");
  wg.add(1);
  gr::go([&] {
    mu.lock();
    mu.lock();
  }, "relocker");
  gr::go([&] { gr::select(gr::recv(a, [](int) {}), gr::send(b, 1, [] {})); }, "chooser");
  gr::go([&] { b.send(2); }, "sender");
  gr::go([&] { mu.lock(); }, "waiter");
  wg.wait();
}

}  // namespace

TEST_CASE("export: the wait-for graph of a dining philosophers deadlock", "[export]") {
  const gr::RunResult r = run_scenario("dining_philosophers", 9);
  REQUIRE(r.outcome == gr::Outcome::Deadlock);
  const auto& nodes = r.wait_for.blocked;
  REQUIRE(nodes.size() == 6);
  CHECK(nodes[0].gid == 1);
  CHECK(nodes[0].reason == gr::WaitReason::WaitGroup);
  REQUIRE(nodes[0].waits_on.size() == 1);
  CHECK(nodes[0].waits_on[0].name == "philosophers");
  CHECK(wakers(nodes[0].waits_on[0]) == "g2 any, g3 any, g4 any, g5 any, g6 any");
  // Philosopher i holds fork i and waits for fork i+1, held by philosopher i+1.
  for (int i = 0; i < 5; ++i) {
    const gr::WaitForNode& n = nodes[static_cast<std::size_t>(i) + 1];
    INFO("philosopher " << i);
    CHECK(n.name == "philosopher" + std::to_string(i));
    CHECK(n.reason == gr::WaitReason::Mutex);
    REQUIRE(n.waits_on.size() == 1);
    CHECK(n.waits_on[0].name == "fork" + std::to_string((i + 1) % 5));
    CHECK(wakers(n.waits_on[0]) == "g" + std::to_string((i + 1) % 5 + 2) + " holder");
    CHECK(n.site == "scenarios/dining_philosophers.cpp:35");
  }
}

TEST_CASE("export: the wait-for graph names holders, peers and anyone, for each kind of wait", "[export]") {
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  const gr::RunResult r = gr::run(tangle, o);
  REQUIRE(r.outcome == gr::Outcome::Deadlock);
  std::vector<std::string> lines;
  for (const gr::WaitForNode& n : r.wait_for.blocked)
    for (const gr::WaitedObject& o : n.waits_on)
      lines.push_back("g" + std::to_string(n.gid) + " " + std::string(gr::to_string(n.reason)) + " " +
                      (n.reason == gr::WaitReason::Select ? (o.send ? "send " : "recv ") : "") + o.name + " <- " +
                      wakers(o));
  CHECK(lines == std::vector<std::string>{
                     "g1 sync.WaitGroup.Wait wg <- g2 any, g3 any, g4 any, g5 any",
                     "g2 sync.Mutex.Lock mu <- g2 holder",
                     "g3 select recv a <- ",
                     "g3 select send b <- ",
                     "g4 chan send b <- ",
                     "g5 sync.Mutex.Lock mu <- g2 holder",
                 });
}

TEST_CASE("export: a blocked sender and a waiting receiver are each other's peers", "[export]") {
  gr::RuntimeState s;
  s.goroutines = {{1, 0, "main", gr::GoroutineStatus::Blocked, gr::WaitReason::ChanRecv, gr::ObjKind::Chan, 7, "m.cpp:3", ""},
                  {2, 1, "tx", gr::GoroutineStatus::Blocked, gr::WaitReason::ChanSend, gr::ObjKind::Chan, 7, "m.cpp:9", "1"},
                  {3, 1, "idle", gr::GoroutineStatus::Runnable, gr::WaitReason::None, gr::ObjKind::None, 0, "", ""}};
  s.channels = {{7, "c", "int", 0, false, {}, {2}, {1}, {}, {}, 0, false, false}};
  const gr::WaitForGraph g = gr::wait_for_graph(s);
  REQUIRE(g.blocked.size() == 2);
  CHECK(wakers(g.blocked[0].waits_on.at(0)) == "g2 peer, g3 active");
  CHECK(wakers(g.blocked[1].waits_on.at(0)) == "g1 peer, g3 active");
  CHECK(g.blocked[1].waits_on.at(0).send);
}

TEST_CASE("export: the log's wait-for graph at the last event is the one the run reported", "[export]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  for (const char* name : {"dining_philosophers", "rw_recursive", "chan_deadlock", "leaky_handler", "ctx_cancel_leak"}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      gr::RunOptions o;
      o.seed = seed;
      o.scenario = name;
      const auto rec = gr::record::record_run(gr::find_scenario(name)->body, o, db);
      const gr::RunResult& r = rec.result;
      if (r.outcome != gr::Outcome::Deadlock && r.outcome != gr::Outcome::Leak) continue;
      INFO(name << " seed " << seed);
      gorewind::storage::EventLogReader log(db);
      gr::WaitForGraph from_log = gr::wait_for_graph(gr::replay::log_state_at(log, rec.recorded.id, r.events));
      // The state names channels, locks and WaitGroups; the runtime named the rest.
      for (std::size_t i = 0; i < from_log.blocked.size() && i < r.wait_for.blocked.size(); ++i)
        for (std::size_t j = 0; j < from_log.blocked[i].waits_on.size() && j < r.wait_for.blocked[i].waits_on.size(); ++j)
          if (from_log.blocked[i].waits_on[j].name.empty())
            from_log.blocked[i].waits_on[j].name = r.wait_for.blocked[i].waits_on[j].name;
      CHECK(from_log == r.wait_for);
      CHECK_FALSE(r.wait_for.empty());
    }
  }
}

namespace {

// Slice is one complete (ph X) event of a trace.
struct Slice {
  double ts, end;
  std::string name, cat;
};

// enclosing() is the op or blocked slice of track tid holding time ts.
std::vector<const Slice*> enclosing(const std::map<double, std::vector<Slice>>& tracks, double tid, double ts) {
  std::vector<const Slice*> out;
  auto it = tracks.find(tid);
  if (it == tracks.end()) return out;
  for (const Slice& s : it->second)
    if (s.cat != "run" && s.ts <= ts && ts < s.end) out.push_back(&s);
  return out;
}

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

// TraceCheck validates a Chrome trace: the format's required fields on each
// event, every flow with exactly one start and one end, each end inside one
// slice, slices of a track nested. counts are the flows by "name from to",
// the words starting the slices at both ends ("send send recv").
struct TraceCheck {
  std::map<std::string, int> counts;
  std::map<std::string, int> phases;
  Json trace;

  explicit TraceCheck(const std::string& text) : trace(parse_json(text)) {
    REQUIRE(trace.type == Json::Type::Object);
    REQUIRE(trace.at("traceEvents").type == Json::Type::Array);
    std::map<double, std::vector<Slice>> tracks;
    std::map<double, std::vector<const Json*>> flows;
    for (const Json& e : trace.at("traceEvents").array) {
      INFO(e.at("name").string);
      const std::string ph = e.at("ph").string;
      ++phases[ph];
      CHECK(e.at("name").type == Json::Type::String);
      CHECK(e.at("pid").type == Json::Type::Number);
      CHECK(e.at("tid").type == Json::Type::Number);
      if (ph == "M") {
        CHECK(e.at("args").type == Json::Type::Object);
        continue;
      }
      CHECK(e.at("ts").type == Json::Type::Number);
      if (ph == "X") {
        CHECK(e.at("dur").number >= 0);
        tracks[e.at("tid").number].push_back(
            {e.at("ts").number, e.at("ts").number + e.at("dur").number, e.at("name").string, e.at("cat").string});
      } else if (ph == "s" || ph == "f") {
        CHECK(e.at("id").type == Json::Type::Number);
        if (ph == "f") CHECK(e.at("bp").string == "e");
        flows[e.at("id").number].push_back(&e);
      } else if (ph == "i") {
        CHECK((e.at("s").string == "t" || e.at("s").string == "g"));
      } else if (ph == "C") {
        REQUIRE(e.at("args").type == Json::Type::Object);
        for (const auto& [k, v] : e.at("args").object) CHECK(v.type == Json::Type::Number);
      } else {
        FAIL("unexpected phase " << ph);
      }
    }
    for (const auto& [id, ends] : flows) {
      INFO("flow " << id);
      REQUIRE(ends.size() == 2);
      const Json& s = ends[0]->at("ph").string == "s" ? *ends[0] : *ends[1];
      const Json& f = ends[0]->at("ph").string == "s" ? *ends[1] : *ends[0];
      REQUIRE(s.at("ph").string == "s");
      REQUIRE(f.at("ph").string == "f");
      CHECK(s.at("ts").number <= f.at("ts").number);
      const auto from = enclosing(tracks, s.at("tid").number, s.at("ts").number);
      const auto to = enclosing(tracks, f.at("tid").number, f.at("ts").number);
      REQUIRE(from.size() == 1);
      REQUIRE(to.size() == 1);
      ++counts[s.at("name").string + " " + first_word(from[0]->name) + " " + first_word(to[0]->name)];
    }
    for (auto& [tid, slices] : tracks) {
      std::sort(slices.begin(), slices.end(),
                [](const Slice& a, const Slice& b) { return a.ts != b.ts ? a.ts < b.ts : a.end > b.end; });
      std::vector<const Slice*> open;
      for (const Slice& s : slices) {
        while (!open.empty() && open.back()->end <= s.ts) open.pop_back();
        if (!open.empty()) CHECK(s.end <= open.back()->end);
        open.push_back(&s);
      }
    }
  }

  // events() are the trace events of phase ph on track tid, as "ts name".
  std::vector<std::string> events(const std::string& ph, double tid) const {
    std::vector<std::string> out;
    for (const Json& e : trace.at("traceEvents").array)
      if (e.at("ph").string == ph && e.at("tid").number == tid) {
        char ts[32];
        std::snprintf(ts, sizeof ts, "%.3f", e.at("ts").number);
        std::string line = std::string(ts) + " " + e.at("name").string;
        if (e.has("dur")) {
          std::snprintf(ts, sizeof ts, "%.3f", e.at("dur").number);
          line += " +" + std::string(ts);
        }
        out.push_back(line);
      }
    return out;
  }
};

}  // namespace

TEST_CASE("exportcli: the chrome trace of handoff, exactly where it matters", "[exportcli]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "handoff", "--strategy", "fifo"}).code == 0);
  const Cli out = log.run({"export", "1", "--format", "chrome"});
  REQUIRE(out.code == 0);
  CHECK(out.err.empty());
  const TraceCheck t(out.out);
  CHECK(t.counts == std::map<std::string, int>{{"send send recv", 1}});
  // ts = virtual microseconds + seq: main parks at seq 5 and is woken at 8.
  CHECK(t.events("X", 1) == std::vector<std::string>{"2.000 running +3.000", "5.000 chan receive on value +3.000",
                                                      "11.000 recv value +0.500", "10.000 running +2.000"});
  CHECK(t.events("X", 2) == std::vector<std::string>{"7.000 send value +0.500", "6.000 running +3.000"});
  CHECK(contains(out.out, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"g2 sender\"}}"));
  CHECK(contains(out.out, "{\"ph\":\"s\",\"cat\":\"flow\",\"name\":\"send\",\"pid\":1,\"tid\":2,\"ts\":7.250,\"id\":11}"));
  CHECK(contains(out.out, "{\"ph\":\"f\",\"cat\":\"flow\",\"name\":\"send\",\"pid\":1,\"tid\":1,\"ts\":11.250,\"id\":11,\"bp\":\"e\"}"));
  CHECK(contains(out.out, "{\"ph\":\"C\",\"name\":\"goroutines\",\"pid\":1,\"tid\":0,\"ts\":5.000,\"args\":{\"runnable\":1,\"blocked\":1}}"));
  // An event of a kind this build does not know (a newer log) is an instant.
  {
    gorewind::test::events_as_rows(log.db);
    gorewind::storage::Database db(log.db, gorewind::storage::Database::Mode::ExistingOnly);
    db.exec("UPDATE events SET kind = 60 WHERE run = 1 AND seq = 3");
  }
  const Cli newer = log.run({"export", "1", "--format", "chrome"});
  CHECK(newer.code == 0);
  const TraceCheck newer_trace(newer.out);
  CHECK(newer_trace.events("i", 1) == std::vector<std::string>{"3.000 kind 60 value", "4.000 spawn g2 sender"});
  CHECK(newer_trace.counts == t.counts);
  // -o writes the same bytes.
  const std::string file = log.dir.file("trace.json");
  REQUIRE(log.run({"export", "1", "--format", "chrome", "-o", file}).code == 0);
  std::ifstream in(file);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == newer.out);
}

TEST_CASE("exportcli: chrome traces draw every send to its receive and every unlock to its lock", "[exportcli]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "worker_pool", "--seed", "7"}).code == 0);     // run 1: buffered jobs, unbuffered results
  REQUIRE(log.run({"record", "mutex_counter", "--seed", "1"}).code == 0);   // run 2: a contended Mutex
  REQUIRE(log.run({"record", "leaky_handler"}).code == 1);                  // run 3: a timer channel and a leak
  REQUIRE(log.run({"record", "rw_recursive", "--seed", "3"}).code == 1);    // run 4: RWMutex deadlock
  const TraceCheck pool(log.run({"export", "1", "--format", "chrome"}).out);
  // 10 jobs and 10 results: a value sent into the buffer, handed to a
  // waiting receiver, or taken from a blocked sender's wait.
  CHECK(pool.counts == std::map<std::string, int>{{"send send recv", 13}, {"send chan recv", 7}});
  const TraceCheck counter(log.run({"export", "2", "--format", "chrome"}).out);
  CHECK(counter.counts == std::map<std::string, int>{{"unlock unlock lock", 10}});
  const Cli leak = log.run({"export", "3", "--format", "chrome"});
  const TraceCheck leaky(leak.out);
  CHECK(leaky.counts == std::map<std::string, int>{{"send send recv", 1}});
  // The leaked worker's wait lasts to the end, and the failure is marked.
  CHECK(leaky.events("X", 3).back() == "2000036.000 chan send on result +9000005.000");
  CHECK(contains(leak.out, "\"name\":\"leak: main returned while 1 goroutine is blocked forever\""));
  const TraceCheck rw(log.run({"export", "4", "--format", "chrome"}).out);
  CHECK(rw.phases.at("X") > 0);
}

TEST_CASE("exportcli: dot is the wait-for graph at the run's last event", "[exportcli]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "chan_deadlock"}).code == 1);
  REQUIRE(log.run({"record", "dining_philosophers", "--seed", "9"}).code == 1);
  const Cli dot = log.run({"export", "1", "--format", "dot"});
  CHECK(dot.code == 0);
  CHECK(dot.err.empty());
  CHECK(dot.out ==
        "digraph wait_for {\n"
        "  label=\"run 1 chan_deadlock: deadlock, wait-for graph at seq 10\";\n"
        "  labelloc=t;\n"
        "  rankdir=LR;\n"
        "  g1 [shape=box, color=red, label=\"g1 main\\nchan send\\nscenarios/chan_deadlock.cpp:15\"];\n"
        "  g2 [shape=box, color=red, label=\"g2 idler\\nselect (no cases)\\nscenarios/chan_deadlock.cpp:14\"];\n"
        "  o1 [shape=ellipse, label=\"chan orphan\"];\n"
        "  g1 -> o1 [label=\"send\"];\n"
        "}\n");
  const Cli ring = log.run({"export", "2", "--format", "dot"});
  CHECK(contains(ring.out, "  g2 -> o2 [label=\"sync.Mutex.Lock\"];\n  o2 -> g3 [style=dashed, label=\"holder\"];\n"));
  CHECK(contains(ring.out, "  g6 -> o6 [label=\"sync.Mutex.Lock\"];\n  o6 -> g2 [style=dashed, label=\"holder\"];\n"));
  // Earlier in the run nobody waits yet.
  CHECK(contains(log.run({"export", "2", "--format", "dot", "--at", "2"}).out, "wait-for graph at seq 2\";\n  labelloc=t;\n  rankdir=LR;\n}\n"));
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    WARN("Graphviz dot is not installed: the DOT is not rendered");
    return;
  }
  const std::string file = log.dir.file("ring.dot");
  REQUIRE(log.run({"export", "2", "--format", "dot", "-o", file}).code == 0);
  CHECK(std::system(("dot -Tsvg '" + file + "' -o '" + file + ".svg'").c_str()) == 0);
  std::ifstream svg(file + ".svg");
  CHECK(contains(std::string(std::istreambuf_iterator<char>(svg), {}), "philosopher4"));
}

TEST_CASE("exportcli: json is show --json; run and show print the wait-for graph", "[exportcli]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "leaky_handler"}).code == 1);
  const Cli json = log.run({"export", "1", "--format", "json"});
  CHECK(json.code == 0);
  CHECK(json.out == log.run({"show", "1", "--json"}).out);
  CHECK(std::count(json.out.begin(), json.out.end(), '\n') == 40);
  const std::string graph =
      "\nwait-for graph (who could wake each blocked goroutine):\n"
      "  g3 worker  chan send on result  <- nobody\n";
  const Cli show = log.run({"show", "1"});
  CHECK(show.out.ends_with("40  11s     g1 main     exit           at scenarios/leaky_handler.cpp:40\n" + graph));
  CHECK(contains(cli(log.dir, {"run", "leaky_handler"}).out, graph + "\nreproduce: "));
  // A cycle is named only where every goroutine in it surely waits for the next.
  CHECK(contains(cli(log.dir, {"run", "dining_philosophers", "--seed", "9"}).out,
                 "  g6 philosopher4  sync.Mutex.Lock on fork0  <- g2 philosopher0 (holder)\n"
                 "  cycle: g2 philosopher0 (sync.Mutex.Lock on fork1) -> g3 philosopher1 (sync.Mutex.Lock on fork2) -> "
                 "g4 philosopher2 (sync.Mutex.Lock on fork3) -> g5 philosopher3 (sync.Mutex.Lock on fork4) -> "
                 "g6 philosopher4 (sync.Mutex.Lock on fork0) -> g2\n"
                 "\nreproduce: "));
  CHECK_FALSE(contains(cli(log.dir, {"run", "rw_recursive", "--seed", "3"}).out, "cycle:"));
  // A cycle through a channel and a lock: the consumer received from
  // results before, and main holds stats while it sends there. The log's
  // graph, from the events alone, is the live one.
  const std::string mixed =
      "wait-for graph (who could wake each blocked goroutine):\n"
      "  g1 main  chan send on results  <- g2 consumer (former peer)\n"
      "  g2 consumer  sync.Mutex.Lock on stats  <- g1 main (holder)\n"
      "  cycle: g1 main (send on results) -> g2 consumer (sync.Mutex.Lock on stats) -> g1\n";
  CHECK(contains(cli(log.dir, {"run", "lock_while_send", "--strategy", "fifo"}).out, mixed + "\nreproduce: "));
  REQUIRE(log.run({"record", "lock_while_send", "--strategy", "fifo"}).code == 1);
  CHECK(log.run({"show", "2"}).out.ends_with("\n" + mixed));
  CHECK(contains(log.run({"export", "2", "--format", "dot"}).out, "[style=dashed, label=\"former peer\"]"));
  CHECK(contains(cli(log.dir, {"run", "chan_deadlock"}).out, "  g2 idler  select (no cases)  <- nobody\n\nreproduce: "));
  const Cli dl = cli(log.dir, {"run", "dining_philosophers", "--seed", "9", "--json"});
  const Json result = parse_json(dl.out);
  const Json& first = result.at("wait_for").array.at(1);
  CHECK(first.at("name").string == "philosopher0");
  CHECK(first.at("waits_on").array.at(0).at("name").string == "fork1");
  CHECK(first.at("waits_on").array.at(0).at("wakers").array.at(0).at("role").string == "holder");
  CHECK(first.at("waits_on").array.at(0).at("wakers").array.at(0).at("id").number == 3);
}

TEST_CASE("exportcli: block, mutex and goroutine profiles", "[exportcli]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "leaky_handler"}).code == 1);
  REQUIRE(log.run({"record", "mutex_counter", "--seed", "1"}).code == 0);
  REQUIRE(log.run({"record", "worker_pool", "--seed", "7"}).code == 0);
  const Cli block = log.run({"profile", "1", "--kind", "block"});
  CHECK(block.code == 0);
  CHECK(block.out ==
        "run 1 (leaky_handler): block profile up to seq 40 of 40\n"
        "vtime  events  waits  open  state                object   site\n"
        "10s    6       1      0     sleep                -        scenarios/leaky_handler.cpp:40\n"
        "9s     4       1      1     chan send            result   scenarios/leaky_handler.cpp:33\n"
        "2s     18      1      0     sleep                -        scenarios/leaky_handler.cpp:32\n"
        "1s     9       1      0     sync.WaitGroup.Wait  handled  scenarios/leaky_handler.cpp:39\n"
        "1s     3       1      0     select               result   scenarios/leaky_handler.cpp:35\n");
  // Up to seq 20 the worker's sleep is still open: it counts to there.
  const Json early = parse_json(log.run({"profile", "1", "--kind", "block", "--at", "20", "--json"}).out);
  CHECK(early.at("at").number == 20);
  const Json& sleep = early.at("rows").array.at(0);
  CHECK(sleep.at("site").string == "scenarios/leaky_handler.cpp:32");
  CHECK(sleep.at("open").number == 1);
  const Cli mutex = log.run({"profile", "2", "--kind", "mutex"});
  CHECK(mutex.out ==
        "run 2 (mutex_counter): mutex profile up to seq 146 of 146\n"
        "vtime  events  waits  open  lock        state            site                            released_at\n"
        "0s     124     9      0     counter_mu  sync.Mutex.Lock  scenarios/mutex_counter.cpp:27  scenarios/mutex_counter.cpp:27\n");
  const Cli goroutines = log.run({"profile", "3", "--kind", "goroutine", "--at", "60"});
  CHECK(goroutines.out ==
        "run 3 (worker_pool): goroutine profile at seq 60 of 161\n"
        "count  state                           site                          goroutines\n"
        "2      chan send on results            scenarios/worker_pool.cpp:19  g3 g4\n"
        "1      runnable                        scenarios/worker_pool.cpp:19  g2\n"
        "1      runnable                        scenarios/worker_pool.cpp:24  g5\n"
        "1      running                         scenarios/worker_pool.cpp:33  g1\n"
        "1      sync.WaitGroup.Wait on workers  scenarios/worker_pool.cpp:28  g6\n");
  CHECK(log.run({"profile", "3", "--kind", "goroutine"}).out ==
        "run 3 (worker_pool): goroutine profile at seq 161 of 161\nno goroutines\n");
}

TEST_CASE("exportcli: bad input is one line and exit 2", "[exportcli]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "handoff"}).code == 0);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"export", "1", "--format", "svg"}, "--format: unknown format 'svg' (expected chrome, dot or json)"},
      {{"export", "7", "--format", "dot"}, "no run 7"},
      {{"export", "1", "--format", "dot", "--at", "16"}, "seq 16 is beyond run 1, which has 15 events"},
      {{"export", "1", "--format", "chrome", "--at", "3"}, "--at: only --format dot takes a seq"},
      {{"export", "1", "--format", "chrome", "-o", log.dir.file("no/such/dir.json")}, "cannot write '"},
      {{"export", "1"}, "--format is required"},
      {{"profile", "1", "--kind", "stack"},
       "--kind: unknown profile 'stack' (expected block, goroutine, heap, mutex or schedlatency)"},
      {{"profile", "1", "--kind", "block", "--at", "16"}, "--at: seq 16 is beyond run 1, which has 15 events"},
      {{"profile", "1", "--kind", "block", "--at", "x"}, "--at: 'x' is not a seq"},
  };
  for (const auto& [args, message] : cases) {
    const Cli r = log.run(args);
    INFO(args[0] << " " << args.back());
    CHECK(r.code == 2);
    REQUIRE(r.err.size() == 1);
    CHECK(contains(r.err[0], "gorewind: error: "));
    CHECK(contains(r.err[0], message));
    CHECK(r.out.empty());
  }
}
