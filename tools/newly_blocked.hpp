// newly_blocked.hpp: pprof's -diff_base in gorewind's terms: between two
// points of a run, the goroutines that became blocked, the chain of waits
// they joined, and where each stands, as `profile --diff-base` and
// `profile --before-failure` print them.
#pragma once

#include <ostream>
#include <vector>

#include <gorewind/record/symbolizer.hpp>
#include <gorewind/replay/process_state.hpp>
#include <gorewind/state.hpp>
#include <gorewind/wait_for_graph.hpp>

#include "state_dump.hpp"

namespace gorewind::cli {

// newly_blocked() are the goroutines blocked in after that were not blocked
// in before, or blocked there on another object, reason or site; by gid.
std::vector<Gid> newly_blocked(const RuntimeState& before, const RuntimeState& after);

// blocked_chain() is graph narrowed to the goroutines gids and every
// blocked goroutine they wait for, transitively: the chain they joined.
WaitForGraph blocked_chain(const WaitForGraph& graph, const std::vector<Gid>& gids);

// write_newly_blocked() prints, for the goroutines newly blocked between
// the log states before and after, their wait-for chain in graph_after and
// then each one's stack in process (the re-execution at after's seq).
void write_newly_blocked(std::ostream& out, const RuntimeState& before, const RuntimeState& after,
                         const WaitForGraph& graph_after, const replay::ProcessState& process,
                         const ObjectNames& names, record::Symbolizer& symbols);

}  // namespace gorewind::cli
