// recorded_scenario.hpp: the scenario code a command needs to re-execute a
// recorded run, or the program that has it.
#pragma once

#include <cstdint>
#include <string_view>

#include <gorewind/gmp_state.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/run_row.hpp>

#include "cli.hpp"

namespace gorewind::cli {

// recorded_scenario() returns this program's scenario of the run row. When
// this program does not have it, it throws UsageError naming the program
// that recorded the run (`run 3 is of scenario 'my_flaky' recorded by
// 'my_tests'; re-run the command with that program`), or, for a run of this
// program or of an unknown one (recorded before schema 3), pointing to this
// program's list.
const Scenario& recorded_scenario(const storage::RunRow& row, const Context& ctx);

// recorded_gmp_state() is Go's scheduler right after event seq of row's
// run, from a re-execution of the program that recorded it (see
// replay::gmp_state_at()); empty, without running anything, for a run of
// gorewind's own model. When this program lacks the run's scenario or no
// longer replays it, a note on stderr says why and the state is empty: the
// rest of what a command shows comes from the log and stands.
GmpState recorded_gmp_state(storage::EventLogReader& log, const storage::RunRow& row, std::uint64_t seq,
                            const Context& ctx);

// ended_in_death() says whether row's run was cut by the death of the
// process that ran it (a crash, a supervisor's timeout): its last event is
// the supervisor's Crash.
bool ended_in_death(storage::EventLogReader& log, const storage::RunRow& row);

}  // namespace gorewind::cli
