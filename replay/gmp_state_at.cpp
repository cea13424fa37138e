#include <gorewind/replay/gmp_state_at.hpp>

#include <string>

#include <gorewind/replay/replay_error.hpp>
#include <gorewind/replay/replay_run.hpp>

namespace gorewind::replay {

GmpState gmp_state_at(const std::function<void()>& fn, storage::EventLogReader& log, const storage::RunRow& run,
                      std::uint64_t seq) {
  if (run.procs == 0) return GmpState{seq, {}, {}, {}, {}};
  GmpTracker tracker(seq);
  ReplayOptions options;
  options.observers.push_back(&tracker);
  const ReplayResult r = replay_run(fn, log, run.id, options);
  if (!tracker.state() || (r.divergence && r.divergence->seq <= seq))
    throw ReplayError("the program no longer replays run " + std::to_string(run.id) + " to seq " +
                      std::to_string(seq) + " (see 'replay " + std::to_string(run.id) + "')");
  return *tracker.state();
}

}  // namespace gorewind::replay
