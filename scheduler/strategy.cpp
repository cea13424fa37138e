#include <gorewind/dfs_strategy.hpp>
#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/random_strategy.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

std::unique_ptr<Strategy> make_strategy(std::string_view name, const StrategyConfig& c) {
  if (name == "random") return std::make_unique<RandomStrategy>();
  if (name == "fifo") return std::make_unique<FifoStrategy>();
  if (name == "pct")
    return std::make_unique<PctStrategy>(c.depth > 0 ? c.depth : PctStrategy::kDefaultDepth,
                                         c.pct_steps > 0 ? c.pct_steps : PctStrategy::kDefaultSteps);
  if (name == "dfs")
    return std::make_unique<DfsStrategy>(c.depth > 0 ? c.depth : DfsStrategy::kDefaultPreemptionBound,
                                         c.shard_index, c.shard_count);
  throw Error("unknown strategy '" + std::string(name) + "' (expected random, pct, dfs or fifo)");
}

}  // namespace gorewind
