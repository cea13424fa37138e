// observer.hpp: how the outside world watches a run. The scheduler calls its
// observers synchronously, in registration order, for every event.
//
// The rule: an observer looks and never acts. It must not change the run:
// no scheduling point, no goroutine started, no channel, lock, timer or
// shared cell touched, no gr::rand, gr::trace or gr::watch. It may read the
// program as it stands at the event (capture_state(), native_stacks()):
// replay's checkpoints do, to show process state. What it keeps of the run
// it builds from the events (the recorder's snapshots come from a
// StateBuilder).
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
  unsigned procs = 0;            // RunOptions::procs
  std::int64_t cpu_cost_ns = 0;  // RunOptions::cpu_cost_ns
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
