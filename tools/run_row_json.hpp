// run_row_json.hpp: one run of the log as the JSON object of `gorewind
// runs --json` and of serve's /api/runs.
#pragma once

#include <string>

#include <gorewind/storage/run_row.hpp>

namespace gorewind::cli {

// run_row_json() is r as one JSON object without a newline: id, scenario,
// params, seed, strategy, build, program (null for a run recorded before
// schema 3), started_at, outcome, message, events, trace_hash, state,
// race_mode, hash_algorithm, procs (0 in gorewind's own model), cpu_cost_ns.
std::string run_row_json(const storage::RunRow& r);

}  // namespace gorewind::cli
