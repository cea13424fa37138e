// native_stack_dump.hpp: process state as text and JSON: each goroutine's
// native frames under its Go-style header, as `state --process` and the
// debugger's `bt` print them:
//
//   goroutine 3 [chan send on result]:
//   gorewind::chan<int>::send(int, std::source_location) const
//   	scheduler/include/gorewind/channel.hpp:88
//   worker(gorewind::chan<int>)
//   	scenarios/leaky_handler.cpp:31
//   created by goroutine 2
#pragma once

#include <ostream>
#include <string>

#include <gorewind/replay/process_state.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/state.hpp>

#include "state_dump.hpp"

namespace gorewind::cli {

// write_native_stacks_text() prints the goroutines of p (only goroutine
// `only`, when nonzero) with their frames, headed as a Go goroutine dump is.
// Unless matches_log, a warning line comes first: the program no longer
// replays the run, so its frames may not be the recorded run's. numbered
// puts each frame's number first ("#0  "), as the debugger's bt does.
void write_native_stacks_text(std::ostream& out, const replay::ProcessState& p, record::Symbolizer& symbols,
                              const ObjectNames& names, bool matches_log, Gid only = 0, bool numbered = false);

// event_key() is e as ProcessState::event identifies it.
replay::EventKey event_key(const storage::StoredEvent& e);

// native_stacks_json() is p's stacks as a JSON array: [{id, frames
// [{function, file, line}]}], innermost frame first.
std::string native_stacks_json(const replay::ProcessState& p, record::Symbolizer& symbols);

}  // namespace gorewind::cli
