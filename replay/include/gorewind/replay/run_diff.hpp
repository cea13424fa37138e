// run_diff.hpp: where two recorded runs of one program first went apart.
//
// diff_runs() compares two runs event by event, on every field the trace
// hash covers. Up to their first difference both runs made the same spawns
// and objects in the same order, so goroutine and object ids agree there and
// an event of one equals the other's exactly; sites compare by file and
// line, never by row id, so the runs may come from two log files. It first
// compares the chunk digests stored at record time (one per 4,096 events)
// and reads events only from the first chunk that differs, so finding the
// divergence of two long runs costs one chunk, wherever it lies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <gorewind/replay/state_diff.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/stored_event.hpp>

namespace gorewind::replay {

// DiffKind is why two runs parted at their first divergence.
enum class DiffKind : std::uint8_t {
  Schedule,     // another goroutine ran (or the runtime acted) at that point
  SelectCase,   // the same goroutine's select chose another case
  Value,        // the same goroutine's operation sent, stored or drew another value
  LockHandoff,  // a released lock went to another waiter
  TimerOrder,   // of timers due at the same instant, another fired first
  Ended,        // one run ended where the other went on
  Other,        // the same goroutine did something else
};
// to_string() is the kind as one word for JSON: "schedule", "select_case",
// "value", "lock_handoff", "timer_order", "ended", "other".
std::string_view to_string(DiffKind k);
// describe() is the kind as a person reads it: "another goroutine scheduled", ...
std::string_view describe(DiffKind k);

// DiffOptions says how much diff_runs() gathers and how it searches.
struct DiffOptions {
  std::size_t context = 5;  // common events before the divergence, and events after it on each side
  bool use_digests = true;  // false: compare every event from the first (the plain scan)
  bool states = true;       // false: leave RunDiff's states empty (only the divergence is wanted)
};

// RunDiff is two runs compared up to their first divergence.
struct RunDiff {
  storage::RunRow a, b;
  // divergence is the first seq where the runs differ; nullopt when they
  // are identical. A run that ended earlier differs at the seq after its last.
  std::optional<std::uint64_t> divergence;
  std::uint64_t common = 0;   // events before the divergence (every event when identical)
  DiffKind kind = DiffKind::Other;
  std::vector<storage::StoredEvent> before;  // the last common events, from run a, oldest first
  std::vector<storage::StoredEvent> after_a, after_b;  // each run's events from the divergence on
  // Each run's state right after the divergent event (or at its end), and
  // the two compared; empty when DiffOptions::states is false.
  RuntimeState state_a, state_b;
  StateDiff states;
  std::uint64_t events_read = 0;  // events read from each run to find the divergence
  bool identical() const { return !divergence.has_value(); }
};

// diff_runs() compares run_a of log_a with run_b of log_b (the logs may be
// one). Throws ReplayError when the runs are of different scenarios or
// parameters, and storage::StorageError for an unknown run or an unreadable log.
RunDiff diff_runs(storage::EventLogReader& log_a, std::int64_t run_a, storage::EventLogReader& log_b,
                  std::int64_t run_b, const DiffOptions& options = {});

// same_stored_event() says whether a and b agree on every field the trace
// hash covers (seq, virtual time, goroutine, kind, object, peer, reason, ok,
// select case, ready, cause, amounts, value text, type name, text, site file
// and line).
bool same_stored_event(const storage::StoredEvent& a, const storage::StoredEvent& b);

}  // namespace gorewind::replay
