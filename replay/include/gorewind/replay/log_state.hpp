// log_state.hpp: the runtime state at any seq of a recorded run, from the
// log alone (no program is run): the latest snapshot at or before the seq,
// then the events after it through a StateBuilder.
#pragma once

#include <cstdint>

#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::replay {

// log_state_at() is run's state right after event seq (seq 0: before the
// first event). Throws ReplayError for a seq beyond the events stored, and
// storage::StorageError for an unknown run or an unreadable log.
RuntimeState log_state_at(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq);

}  // namespace gorewind::replay
