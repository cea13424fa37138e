// profile_pprof.hpp: the profiles of profiles.hpp as pprof files, their
// stacks from re-executing the run (replay::CheckpointServer), not from
// the log, which records no stacks.
// - goroutine: one sample per goroutine alive at the seq, of Go's sample
//   type goroutine/count, its stack where the re-executed program stands
//   there, labelled with the goroutine's id, name, state and site, so that
//   summing the samples by state and site gives the text table's counts.
#pragma once

#include <gorewind/record/symbolizer.hpp>
#include <gorewind/replay/process_state.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/run_row.hpp>

#include "pprof_profile.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {

// goroutine_pprof() is the goroutine profile of run at state's seq: the
// goroutines of state (the log's), with their stacks in process (the
// re-execution's at that seq). A goroutine that has not run yet has one
// frame, named by its goroutine_site(), "(not started)".
PprofProfile goroutine_pprof(const storage::RunRow& run, const RuntimeState& state, const ObjectNames& names,
                             const replay::ProcessState& process, record::Symbolizer& symbols);

}  // namespace gorewind::cli
