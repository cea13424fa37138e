#include <gorewind/replay/log_state.hpp>

#include <optional>
#include <string>

#include <gorewind/replay/replay_error.hpp>

namespace gorewind::replay {

RuntimeState log_state_at(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq) {
  const storage::RunRow row = log.run(run);
  if (seq > row.events)
    throw ReplayError("seq " + std::to_string(seq) + " is beyond run " + std::to_string(run) + ", which has " +
                      std::to_string(row.events) + " events");
  std::optional<RuntimeState> start = log.snapshot_at(run, seq);
  StateBuilder state = start ? StateBuilder(std::move(*start)) : StateBuilder();
  storage::EventFilter after;
  after.from = state.state().seq + 1;
  after.to = seq;
  storage::EventCursor events = log.events(run, after);
  storage::StoredEvent e;
  while (events.next(e)) state.apply(storage::EventView(e).event());
  return state.state();
}

}  // namespace gorewind::replay
