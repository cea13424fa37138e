// run_alignment.hpp: every divergence of two runs, not only the first.
//
// After the first divergence the two event streams are re-synchronised: an
// event is matched by its goroutine's spawn path, how many operations that
// goroutine had made before it (switches, parks and wakes are not
// operations: they depend on the schedule; the runtime's timer events count
// by virtual time instead), its kind, its object (by RunIdentity) and its
// value (a select's case and an event's text too). Where the streams
// disagree, align_runs() looks ahead for the nearest point where they agree
// again for a few events in a row (or both end); the events in between on
// each side form a hunk. An event of a hunk that the other run has too, in
// the other side of this hunk or of another, is moved (common to both runs,
// in another place); the others are only in their run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <gorewind/replay/run_diff.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/stored_event.hpp>

namespace gorewind::replay {

// AlignOptions bounds how far align_runs() looks and how much it keeps.
struct AlignOptions {
  std::size_t window = 1024;  // events looked ahead on each side for the streams to meet again
  std::size_t listed = 20;    // events kept per hunk and side (all are counted)
};

// HunkEvent is one event of a hunk, and whether the other run has it too
// (moved) or not.
struct HunkEvent {
  storage::StoredEvent event;
  bool moved = false;
};

// Hunk is one stretch where the runs disagree, between stretches where they agree.
struct Hunk {
  // The seqs of each run's events in the hunk; last = first - 1 when a run has none there.
  std::uint64_t a_first = 0, a_last = 0;
  std::uint64_t b_first = 0, b_last = 0;
  std::vector<HunkEvent> a, b;  // the first AlignOptions::listed events of each side
  std::uint64_t only_a = 0, only_b = 0;    // events of each side the other run does not have
  std::uint64_t moved_a = 0, moved_b = 0;  // events of each side the other run has in another place
};

// Alignment is two whole runs aligned: only_a + common is run a's event count, only_b + common run b's.
struct Alignment {
  std::vector<Hunk> hunks;
  std::uint64_t only_a = 0, only_b = 0, common = 0;
};

// align_runs() aligns the runs of first (diff_runs()'s result for these
// runs and logs) from its divergence on; no hunk when they are identical.
// Throws storage::StorageError for an unreadable log.
Alignment align_runs(storage::EventLogReader& log_a, storage::EventLogReader& log_b, const RunDiff& first,
                     const AlignOptions& options = {});

}  // namespace gorewind::replay
