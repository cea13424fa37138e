// explore_findings.cpp: see explore_findings.hpp.
#include <gorewind/record/explore_findings.hpp>

#include <map>
#include <memory>
#include <utility>

#include <gorewind/explore.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind::record {
namespace {

// Recorded is a failing schedule as the log now holds it.
struct Recorded {
  RunResult result;
  std::int64_t run_id = 0;
};

// record_one() records f as record_findings() says.
Recorded record_one(const std::function<void()>& fn, const SupervisedExplore& search, std::uint64_t pct_steps,
                    const FoundSchedule& f, const std::string& db_path) {
  const ExploreOptions& o = search.explore;
  const bool by_seed = f.died && f.schedule.empty();
  if (by_seed && o.strategy == "dfs") return Recorded{f.result, 0};
  RunOptions options = o.run;
  options.seed = f.seed;
  if (by_seed)
    options.strategy = make_strategy(o.strategy, {.depth = o.depth, .pct_steps = pct_steps});
  else
    options.strategy = std::make_shared<ScriptedStrategy>(f.schedule, nullptr, o.strategy);
  const SupervisedRecording r = record_supervised(
      [&](const ChildRecorder& recorder) {
        recorder(fn, options);
        return 0;
      },
      db_path, SupervisedConfig::timed(search.timeout));
  return Recorded{r.run_id != 0 ? r.result : fault_result(r.end), r.run_id};
}

}  // namespace

std::vector<FailureGroup> record_findings(const std::function<void()>& fn, const SupervisedExplore& search,
                                          const SupervisedExploreResult& found, const std::string& db_path) {
  // The key orders the groups as the header promises.
  std::map<std::pair<std::string, std::string>, FailureGroup> groups;
  for (const FoundSchedule& f : found.failures) {
    Recorded r = record_one(fn, search, found.pct_steps, f, db_path);
    const std::string site = r.result.site.empty() ? "" : r.result.site.to_string();
    FailureGroup& g = groups[{std::string(to_string(r.result.outcome)), site}];
    if (g.count++ == 0) {
      g.outcome = r.result.outcome;
      g.site = std::move(r.result.site);
      g.message = std::move(r.result.message);
      g.seed = f.seed;
      g.run_id = r.run_id;
    }
  }
  std::vector<FailureGroup> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  return out;
}

}  // namespace gorewind::record
