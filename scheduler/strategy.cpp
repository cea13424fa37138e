#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/random_strategy.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

std::unique_ptr<Strategy> make_strategy(std::string_view name) {
  if (name == "random") return std::make_unique<RandomStrategy>();
  if (name == "fifo") return std::make_unique<FifoStrategy>();
  if (name == "pct") return std::make_unique<PctStrategy>();
  throw Error("unknown strategy '" + std::string(name) + "' (expected random, pct or fifo)");
}

}  // namespace gorewind
