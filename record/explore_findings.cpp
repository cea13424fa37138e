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
  if (by_seed && is_systematic(o.strategy)) return Recorded{f.result, 0};
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
  using Key = std::pair<std::string, std::string>;
  auto key_of = [](const RunResult& r) {
    return Key{std::string(to_string(r.outcome)), r.site.empty() ? "" : r.site.to_string()};
  };
  // Only the lowest seed of each kind of failure, as the search reported
  // it, is recorded; the rest are counted. A recording may say more than
  // the search could (where a dying worker was), so the groups are keyed
  // by what their recordings say, and two that turn out the same merge.
  std::map<Key, FailureGroup> searched;
  for (const FoundSchedule& f : found.failures) {
    auto [at, first] = searched.try_emplace(key_of(f.result));
    FailureGroup& g = at->second;
    ++g.count;
    if (!first) continue;
    Recorded r = record_one(fn, search, found.pct_steps, f, db_path);
    g.outcome = r.result.outcome;
    g.site = std::move(r.result.site);
    g.message = std::move(r.result.message);
    g.seed = f.seed;
    g.run_id = r.run_id;
  }
  // The key orders the groups as the header promises.
  std::map<Key, FailureGroup> groups;
  for (auto& [searched_key, g] : searched) {
    RunResult as_recorded;
    as_recorded.outcome = g.outcome;
    as_recorded.site = g.site;
    auto [at, first] = groups.try_emplace(key_of(as_recorded), g);
    if (first) continue;
    FailureGroup& kept = at->second;
    const std::uint64_t count = kept.count + g.count;
    if (g.seed < kept.seed) kept = std::move(g);
    kept.count = count;
  }
  std::vector<FailureGroup> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  return out;
}

}  // namespace gorewind::record
