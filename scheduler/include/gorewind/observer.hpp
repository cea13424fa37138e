// observer.hpp: how the outside world watches a run. The scheduler calls its
// observers synchronously, in registration order, for every event; an
// observer must not call back into the runtime.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <gorewind/event.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/race.hpp>

namespace gorewind {

// RunInfo describes a run before it starts.
struct RunInfo {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string strategy;
  std::map<std::string, std::string> params;
  RaceMode races = RaceMode::First;
};

// Observer receives a run's events. Implementations: the trace hasher (here),
// the recorder (record/), a test's event collector.
class Observer {
 public:
  virtual ~Observer() = default;
  // on_run_begin() is called once, before the first event.
  virtual void on_run_begin(const RunInfo&) {}
  // on_event() is called for every event in seq order.
  virtual void on_event(const Event& e) = 0;
  // on_run_end() is called once, after the last event.
  virtual void on_run_end(const RunResult&) {}
};

}  // namespace gorewind
