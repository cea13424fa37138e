#include <gorewind/dfs_strategy.hpp>
#include <gorewind/dpor_strategy.hpp>
#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/portfolio_strategy.hpp>
#include <gorewind/pos_strategy.hpp>
#include <gorewind/random_strategy.hpp>
#include <gorewind/strategy.hpp>
#include <gorewind/surw_strategy.hpp>

namespace gorewind {

std::string procs_refusal(const Strategy& s, unsigned procs) {
  if (procs <= s.max_procs()) return {};
  return std::string(s.name()) + " steers at most " + std::to_string(s.max_procs()) + " P, not " +
         std::to_string(procs) +
         " (with more, Go's run queues restrict which goroutines may run, which its dependence relation does not "
         "model)";
}

bool races(const Access& a, const Access& b) {
  if (a.kind == ObjKind::None || a.kind != b.kind || !(a.write || b.write)) return false;
  // A select's access (obj 0) is on any of its channels.
  return a.obj == b.obj || a.obj == 0 || b.obj == 0;
}

namespace {

std::unique_ptr<Strategy> make_pct(const StrategyConfig& c) {
  return std::make_unique<PctStrategy>(c.depth > 0 ? c.depth : PctStrategy::kDefaultDepth,
                                       c.pct_steps > 0 ? c.pct_steps : PctStrategy::kDefaultSteps);
}

std::unique_ptr<Strategy> make_portfolio(const StrategyConfig& c) {
  std::vector<std::unique_ptr<Strategy>> members;
  members.push_back(make_pct(c));
  members.push_back(std::make_unique<PosStrategy>());
  members.push_back(std::make_unique<SurwStrategy>());
  return std::make_unique<PortfolioStrategy>(std::move(members));
}

template <class S>
std::unique_ptr<Strategy> make_plain(const StrategyConfig&) {
  return std::make_unique<S>();
}

std::unique_ptr<Strategy> make_dfs(const StrategyConfig& c) {
  return std::make_unique<DfsStrategy>(c.depth > 0 ? c.depth : DfsStrategy::kDefaultPreemptionBound, c.shard_index,
                                       c.shard_count);
}

constexpr StrategyInfo kStrategies[] = {
    {"random", "a uniform random walk (seeded)", true, false, false, make_plain<RandomStrategy>},
    {"pct", "probabilistic concurrency testing (seeded)", true, true, false, make_pct},
    {"pos", "partial order sampling (seeded)", true, false, false, make_plain<PosStrategy>},
    {"surw", "selectively uniform random walk (seeded; profiles the program once first)", true, false, false,
     make_plain<SurwStrategy>},
    {"portfolio", "seed N runs under pct, pos or surw by N mod 3 (seeded)", true, true, false, make_portfolio},
    {"dfs", "exhaustive search with a preemption bound", true, false, true, make_dfs},
    {"dpor", "exhaustive search, one schedule per Mazurkiewicz trace (source-DPOR with sleep sets)", true, false,
     true, make_plain<DporStrategy>},
    {"fifo", "Go's run queue order, no preemption (one schedule)", false, false, false, make_plain<FifoStrategy>},
};

const StrategyInfo* find(std::string_view name) {
  for (const StrategyInfo& s : kStrategies)
    if (s.name == name) return &s;
  return nullptr;
}

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
  const StrategyInfo* s = find(name);
  return s && (s->explores || !exploring);
}

bool is_systematic(std::string_view name) {
  const StrategyInfo* s = find(name);
  return s && s->systematic;
}

bool measures_run_length(std::string_view name) {
  const StrategyInfo* s = find(name);
  return s && s->measures_run_length;
}

std::unique_ptr<Strategy> make_strategy(std::string_view name, const StrategyConfig& c) {
  if (const StrategyInfo* s = find(name)) return s->make(c);
  throw Error("unknown strategy '" + std::string(name) + "' (expected " + strategy_names(false) + ")");
}

}  // namespace gorewind
