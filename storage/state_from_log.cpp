#include <gorewind/storage/state_from_log.hpp>

#include <optional>
#include <utility>

namespace gorewind::storage {

RuntimeState state_from_log(EventLogReader& log, std::int64_t run, std::uint64_t seq) {
  std::optional<RuntimeState> start = log.snapshot_at(run, seq);
  StateBuilder state = start ? StateBuilder(std::move(*start)) : StateBuilder();
  EventQuery after(run);
  after.from = state.state().seq + 1;
  after.to = seq;
  EventCursor events = log.events(after);
  StoredEvent e;
  while (events.next(e)) state.apply(EventView(e).event());
  return state.state();
}

}  // namespace gorewind::storage
