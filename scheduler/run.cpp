#include <gorewind/run.hpp>

#include "scheduler.hpp"

namespace gorewind {

RunResult run(const std::function<void()>& fn, const RunOptions& options) {
  detail::Scheduler scheduler(options);
  return scheduler.run(fn);
}

}  // namespace gorewind
