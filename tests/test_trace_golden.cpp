// test_trace_golden.cpp: the trace hashes users have seen stay what they
// were. tests/golden/trace_hashes.tsv holds, for every built-in scenario
// over seeds 1..20 under random and fifo, the event count and trace hash of
// the run; this test runs them all again and compares. A change to the
// runtime's semantics (or to the hash) changes lines of it, and its commit
// says which and why: regenerate with
//
//   GOREWIND_UPDATE_GOLDEN=1 build/tests/gorewind_tests '[golden]'
//
// Scenarios that crash or hang on some schedules run in a supervised child,
// whose digest at the death is what `gorewind run` reports.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gorewind/record/child_process.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/trace_hasher.hpp>

#include "support.hpp"

namespace gr = gorewind;

namespace {

const std::string kGolden = std::string(GOREWIND_SOURCE_DIR) + "/tests/golden/trace_hashes.tsv";
constexpr std::uint64_t kSeeds = 20;
// Enough for every built-in scenario at its defaults; a schedule on which
// slow_poll never ends stops here, deterministically.
constexpr std::uint64_t kStepLimit = 200000;

// One line of the golden file.
std::string line(const gr::Scenario& sc, std::uint64_t seed, const std::string& strategy, std::uint64_t events,
                 std::uint64_t hash) {
  return sc.name + "\t" + std::to_string(seed) + "\t" + strategy + "\t" + std::to_string(events) + "\t" +
         gr::TraceHasher::hex_of(hash);
}

gr::RunOptions options(const gr::Scenario& sc, std::uint64_t seed, const std::string& strategy) {
  gr::RunOptions o;
  o.seed = seed;
  o.strategy = gr::make_strategy(strategy);
  o.max_steps = kStepLimit;
  // slow_poll's rounds cost 20M iterations each by default: a schedule that
  // polls forever would take minutes to reach the step limit.
  if (sc.name == "slow_poll") o.params = {{"cost", "1"}};
  return o;
}

// golden_line() runs one schedule: in this process, or in a supervised
// child for a scenario that may crash or spin.
std::string golden_line(const gr::Scenario& sc, std::uint64_t seed, const std::string& strategy) {
  gr::RunOptions o = options(sc, seed, strategy);
  gr::TraceHasher hasher;
  o.observers = {&hasher};
  if (!sc.kills_process) {
    const gr::RunResult r = gr::run(sc.body, o);
    return line(sc, seed, strategy, r.events, hasher.hash());
  }
  struct Ran {
    std::uint64_t events;
    std::uint64_t hash;
  };
  gr::record::Shared<Ran> ran;
  // A spinning schedule is killed past the timeout, its digest taken then;
  // every other schedule of these scenarios ends in milliseconds.
  gr::record::ChildProcess child(
      [&] {
        gr::record::ChildProcess::keep_trace_hash(&hasher);
        const gr::RunResult r = gr::run(sc.body, o);
        *ran = Ran{r.events, hasher.hash()};
        return 0;
      },
      gr::record::ChildProcess::Config::timed(1.0));
  const gr::record::ChildEnd end = child.wait();
  if (end.returned()) return line(sc, seed, strategy, ran->events, ran->hash);
  INFO(sc.name << " seed " << seed << " " << strategy << ": " << gr::to_string(end.outcome) << " " << end.message);
  CHECK((end.outcome == gr::Outcome::Crash || end.fault.timeout_kind == "spin"));
  return line(sc, seed, strategy, end.fault.last_seq, end.trace_hash);
}

std::vector<std::string> golden_lines() {
  std::vector<std::string> out;
  for (const gr::Scenario* sc : gr::scenarios())
    for (const char* strategy : {"fifo", "random"})
      for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
        // fifo ignores the seed (test_determinism checks it in process): a
        // scenario that may spin is run once and its line repeated, rather
        // than spinning into the timeout twenty times.
        if (sc->kills_process && std::string(strategy) == "fifo" && seed > 1) {
          std::string first = out.back();
          const auto a = first.find('\t'), b = first.find('\t', a + 1);
          out.push_back(first.replace(a + 1, b - a - 1, std::to_string(seed)));
          continue;
        }
        out.push_back(golden_line(*sc, seed, strategy));
      }
  return out;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("golden: every scenario's trace hashes over seeds 1..20 under fifo and random are the committed ones",
          "[determinism][golden]") {
  const std::vector<std::string> got = golden_lines();
  if (std::getenv("GOREWIND_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(kGolden);
    out << "# scenario\tseed\tstrategy\tevents\ttrace_hash (" << gr::TraceHasher::kAlgorithm
        << "); regenerate: see tests/test_trace_golden.cpp\n";
    for (const std::string& l : got) out << l << "\n";
    WARN("wrote " << got.size() << " lines to " << kGolden);
  }
  const std::vector<std::string> want = read_lines(kGolden);
  REQUIRE(want.size() == got.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("line " << i + 2 << " of tests/golden/trace_hashes.tsv");
    CHECK(got[i] == want[i]);
  }
}
