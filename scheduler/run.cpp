#include <gorewind/run.hpp>

#include <gorewind/fifo_strategy.hpp>
#include <gorewind/observer.hpp>

#include "scheduler.hpp"

namespace gorewind {

RunResult run(const std::function<void()>& fn, const RunOptions& options) {
  if (Observer* profiler = options.strategy ? options.strategy->profiler() : nullptr) {
    RunOptions first = options;
    first.strategy = std::make_shared<FifoStrategy>();
    first.observers = {profiler};
    detail::Scheduler(first).run(fn);
  }
  detail::Scheduler scheduler(options);
  return scheduler.run(fn);
}

}  // namespace gorewind
