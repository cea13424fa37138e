// stop.hpp: where a Timeline's move ended and why, as a value (rr's
// ReplayResult): the caller reads it to say what happened, and nothing
// about the move is left to ask the Timeline.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace gorewind::replay {

// Mark is a position on a run's timeline: the seq of the event just
// executed, 0 before the first event. Marks of one run compare as seqs do.
using Mark = std::uint64_t;

// StopReason is why a move ended where it did.
enum class StopReason : std::uint8_t {
  Step,        // it went where it was asked: the step, seek or goroutine's event it wanted
  Breakpoint,  // an enabled breakpoint matched the event (Stop::breakpoints)
  Watchpoint,  // an enabled watchpoint, and no breakpoint, matched the event (Stop::breakpoints)
  Failure,     // a forward move reached the event the run failed at (Timeline::failure())
  Start,       // a backward move found nothing to stop at: it is before the first event
  End,         // a forward move found nothing to stop at: it is at the last event
};
std::string_view to_string(StopReason r);

// Stop is the result of a move.
struct Stop {
  Mark where = 0;
  StopReason why = StopReason::Step;
  // breakpoints are the ids of the breakpoints and watchpoints that stopped
  // the move at where, in id order (empty unless why is Breakpoint or
  // Watchpoint).
  std::vector<int> breakpoints;
  friend bool operator==(const Stop&, const Stop&) = default;
};

}  // namespace gorewind::replay
