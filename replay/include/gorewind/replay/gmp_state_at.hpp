// gmp_state_at.hpp: Go's scheduler at one point of a recorded run.
#pragma once

#include <cstdint>
#include <functional>

#include <gorewind/gmp_state.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/run_row.hpp>

namespace gorewind::replay {

// gmp_state_at() is Go's scheduler right after event seq of run (0: before
// the first), from a re-execution of fn, the program that recorded it,
// under its recorded schedule: the run queues are not in the log. A run of
// gorewind's own model (procs 0) gives an empty state and runs nothing.
// Throws ReplayError when fn no longer replays the run up to seq, and what
// replay_run() throws.
GmpState gmp_state_at(const std::function<void()>& fn, storage::EventLogReader& log, const storage::RunRow& run,
                      std::uint64_t seq);

}  // namespace gorewind::replay
