// state_at.cpp: a run's runtime state at a seq, rebuilt from what the log
// holds: the latest snapshot at or before the seq, then the events after it.
#include <gorewind/storage/event_log_reader.hpp>

#include <optional>
#include <utility>

namespace gorewind::storage {

RuntimeState EventLogReader::state_at(std::int64_t run, std::uint64_t seq) {
  std::optional<RuntimeState> start = snapshot_at(run, seq);
  StateBuilder state = start ? StateBuilder(std::move(*start)) : StateBuilder();
  EventQuery after(run);
  after.from = state.state().seq + 1;
  after.to = seq;
  EventCursor cursor = events(after);
  StoredEvent e;
  while (cursor.next(e)) state.apply(EventView(e).event());
  return state.state();
}

}  // namespace gorewind::storage
