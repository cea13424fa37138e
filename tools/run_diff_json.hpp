// run_diff_json.hpp: two runs compared (replay::RunDiff, and with --align
// every later divergence) as the one JSON object `gorewind diff --json`
// prints and `serve`'s /api/diff answers. Its keys: docs/diff.md.
#pragma once

#include <optional>
#include <string>

#include <gorewind/gmp_state.hpp>
#include <gorewind/replay/run_alignment.hpp>
#include <gorewind/replay/run_diff.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::cli {

// run_diff_json() is d as one JSON object without a newline: both runs, the
// divergence with the events around it and the two states there (each
// with its scheduler, gmp_a and gmp_b, empty in gorewind's own model), and
// the alignment al, or null without one. log_a and log_b hold the runs.
std::string run_diff_json(storage::EventLogReader& log_a, storage::EventLogReader& log_b, const replay::RunDiff& d,
                          const std::optional<replay::Alignment>& al, const GmpState& gmp_a, const GmpState& gmp_b);

}  // namespace gorewind::cli
