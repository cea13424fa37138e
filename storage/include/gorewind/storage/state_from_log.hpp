// state_from_log.hpp: a run's runtime state at a seq, rebuilt from what the
// log holds (the latest snapshot at or before the seq, then the events after
// it), for writers that must store a snapshot of a state the runtime can no
// longer show them.
#pragma once

#include <cstdint>

#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::storage {

// state_from_log() is run's state right after event seq, from the snapshot
// and events stored for it (none stored: the state of an empty run). Throws
// StorageError for an unreadable log.
RuntimeState state_from_log(EventLogReader& log, std::int64_t run, std::uint64_t seq);

}  // namespace gorewind::storage
