// replay::minimize(): the result fails the same way, has no more
// preemptions than the input, and is 1-minimal: each of its remaining
// decisions, reset alone, was tried and lost the failure (checked here by
// trying each one again).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <gorewind/explore.hpp>
#include <gorewind/replay/minimize.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/schedule_script.hpp>

namespace gr = gorewind;

namespace {

// Counted follows a script and counts its preemptions: another goroutine
// chosen where the running one could go on.
class Counted final : public gr::Strategy {
 public:
  explicit Counted(std::vector<gr::Choice> script) : script_(std::move(script)) {}
  std::string_view name() const override { return "counted"; }
  void begin_run(std::uint64_t seed) override { script_.begin_run(seed); }
  std::size_t pick_goroutine(const gr::Runnable& options) override {
    const std::size_t i = script_.pick_goroutine(options);
    preemptions += options.current() != 0 && i != 0;
    return i;
  }
  std::size_t pick(gr::Decision kind, std::size_t n) override { return script_.pick(kind, n); }
  std::uint64_t preemptions = 0;

 private:
  gr::ScriptedStrategy script_;
};

struct Tried {
  gr::RunResult result;
  std::uint64_t preemptions;
};

Tried run_script(const gr::Scenario& s, std::vector<gr::Choice> script) {
  auto counted = std::make_shared<Counted>(std::move(script));
  gr::RunOptions o;
  o.strategy = counted;
  return {gr::run(s.body, o), counted->preemptions};
}

bool same_failure(const gr::RunResult& a, const gr::RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
}

}  // namespace

TEST_CASE("minimize: the result is 1-minimal, fails the same way and has no more preemptions", "[replay]") {
  for (const char* name : {"flaky_order", "dining_philosophers", "rw_recursive", "cond_lost_wakeup"}) {
    INFO(name);
    const gr::Scenario* s = gr::find_scenario(name);
    REQUIRE(s != nullptr);
    gr::ExploreOptions e;
    e.runs = 3000;
    e.seed_start = 7;
    const gr::ExploreResult found = gr::explore(s->body, e);
    REQUIRE(found.failures.size() == 1);
    const gr::ExploreFailure& f = found.failures[0];

    const gr::replay::Minimized m = gr::replay::minimize(s->body, {}, f.schedule);
    CHECK(m.one_minimal);
    CHECK(m.after.preemptions <= m.before.preemptions);
    const Tried again = run_script(*s, m.schedule);
    CHECK(same_failure(again.result, f.result));
    CHECK(again.preemptions == m.after.preemptions);
    // Reset each remaining decision alone: none keeps the failure with as
    // few preemptions or fewer and a schedule no longer.
    for (std::size_t i = 0; i < m.schedule.size(); ++i) {
      if (m.schedule[i].chosen == 0) continue;
      std::vector<gr::Choice> candidate = m.schedule;
      candidate[i].chosen = 0;
      const Tried t = run_script(*s, candidate);
      INFO("decision " << i);
      CHECK_FALSE((same_failure(t.result, f.result) && t.preemptions < m.after.preemptions));
    }
  }
}
