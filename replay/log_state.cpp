#include <gorewind/replay/log_state.hpp>

#include <string>

#include <gorewind/replay/replay_error.hpp>

namespace gorewind::replay {

RuntimeState log_state_at(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq) {
  const storage::RunRow row = log.run(run);
  if (seq > row.events) throw ReplayError(storage::beyond_run(row, seq));
  return log.state_at(run, seq);
}

}  // namespace gorewind::replay
