#include <gorewind/dfs_strategy.hpp>
#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/portfolio_strategy.hpp>
#include <gorewind/pos_strategy.hpp>
#include <gorewind/random_strategy.hpp>
#include <gorewind/strategy.hpp>
#include <gorewind/surw_strategy.hpp>

namespace gorewind {

bool races(const Access& a, const Access& b) {
  if (a.kind == ObjKind::None || a.kind != b.kind || !(a.write || b.write)) return false;
  // A select's access (obj 0) is on any of its channels.
  return a.obj == b.obj || a.obj == 0 || b.obj == 0;
}

namespace {

constexpr StrategyInfo kStrategies[] = {
    {"random", "a uniform random walk (seeded)", true},
    {"pct", "probabilistic concurrency testing (seeded)", true},
    {"pos", "partial order sampling (seeded)", true},
    {"surw", "selectively uniform random walk (seeded; profiles the program once first)", true},
    {"portfolio", "seed N runs under pct, pos or surw by N mod 3 (seeded)", true},
    {"dfs", "exhaustive search with a preemption bound", true},
    {"fifo", "Go's run queue order, no preemption (one schedule)", false},
};

}  // namespace

std::span<const StrategyInfo> builtin_strategies() { return kStrategies; }

std::string strategy_names(bool exploring) {
  std::vector<std::string_view> names;
  for (const StrategyInfo& s : kStrategies)
    if (s.explores || !exploring) names.push_back(s.name);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

bool is_strategy(std::string_view name, bool exploring) {
  for (const StrategyInfo& s : kStrategies)
    if (s.name == name) return s.explores || !exploring;
  return false;
}

bool measures_run_length(std::string_view name) { return name == "pct" || name == "portfolio"; }

std::unique_ptr<Strategy> make_strategy(std::string_view name, const StrategyConfig& c) {
  if (name == "random") return std::make_unique<RandomStrategy>();
  if (name == "fifo") return std::make_unique<FifoStrategy>();
  if (name == "pct")
    return std::make_unique<PctStrategy>(c.depth > 0 ? c.depth : PctStrategy::kDefaultDepth,
                                         c.pct_steps > 0 ? c.pct_steps : PctStrategy::kDefaultSteps);
  if (name == "portfolio") {
    std::vector<std::unique_ptr<Strategy>> members;
    members.push_back(make_strategy("pct", c));
    members.push_back(make_strategy("pos", c));
    members.push_back(make_strategy("surw", c));
    return std::make_unique<PortfolioStrategy>(std::move(members));
  }
  if (name == "pos") return std::make_unique<PosStrategy>();
  if (name == "surw") return std::make_unique<SurwStrategy>();
  if (name == "dfs")
    return std::make_unique<DfsStrategy>(c.depth > 0 ? c.depth : DfsStrategy::kDefaultPreemptionBound,
                                         c.shard_index, c.shard_count);
  throw Error("unknown strategy '" + std::string(name) + "' (expected " + strategy_names(false) + ")");
}

}  // namespace gorewind
