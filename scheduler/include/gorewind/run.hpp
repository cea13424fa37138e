// run.hpp: running a program on the deterministic scheduler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/observer.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// RunOptions configures one run.
struct RunOptions {
  // seed drives the strategy (and later the user's gr::rand()).
  std::uint64_t seed = 1;
  // strategy decides; null means a RandomStrategy.
  std::shared_ptr<Strategy> strategy;
  // observers see every event, in this order. Not owned.
  std::vector<Observer*> observers;
  // stack_size is each goroutine's stack in bytes, rounded up to pages.
  std::size_t stack_size = 256 * 1024;
  // scenario names the program for observers and reports.
  std::string scenario;
  // params are the program's parameters (gr::param).
  std::map<std::string, std::string> params;
};

// run() runs fn as the main goroutine until the run ends and reports how.
// Runs are independent and deterministic: the same fn, options and seed give
// the same events. One run at a time per thread; throws Error when nested,
// and rethrows an Error that escaped a goroutine (bad input, misuse) once the
// run is torn down.
RunResult run(const std::function<void()>& fn, const RunOptions& options = {});

}  // namespace gorewind
