#include <gorewind/replay/log_state.hpp>

#include <string>

#include <gorewind/replay/replay_error.hpp>

namespace gorewind::replay {

RuntimeState log_state_at(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq) {
  const storage::RunRow row = log.run(run);
  if (seq > row.events)
    throw ReplayError("seq " + std::to_string(seq) + " is beyond run " + std::to_string(run) + ", which has " +
                      std::to_string(row.events) + " events");
  return log.state_at(run, seq);
}

}  // namespace gorewind::replay
