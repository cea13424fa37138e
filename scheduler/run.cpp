#include <gorewind/run.hpp>

#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/observer.hpp>

#include "scheduler.hpp"

namespace gorewind {

RunResult run(const std::function<void()>& fn, const RunOptions& options) {
  // Each profile run satisfies the profiler that asked for it.
  Observer* last = nullptr;
  while (Observer* profiler = options.strategy ? options.strategy->profiler() : nullptr) {
    if (profiler == last) throw Error("gorewind: the strategy " + std::string(options.strategy->name()) +
                                      " asked for a second profile run");
    last = profiler;
    RunOptions first = options;
    first.strategy = std::make_shared<FifoStrategy>();
    first.observers = {profiler};
    detail::Scheduler(first).run(fn);
  }
  detail::Scheduler scheduler(options);
  return scheduler.run(fn);
}

}  // namespace gorewind
