// breakpoint.hpp: a breakpoint or watchpoint of a Timeline: the events it
// stops at are a storage::EventQuery (a place, a goroutine, a kind, a
// channel; a watchpoint: the writes to what it watches), with gdb's
// condition, ignore count, hit count and enabled flag on top.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <gorewind/storage/event_query.hpp>

namespace gorewind::replay {

// Breakpoint is one breakpoint or watchpoint, a value: a Timeline holds
// its own and hands them out by id to be changed in place.
struct Breakpoint {
  // Breakpoint() stops at the events of run that where selects; its seq
  // range and direction are set by each move, so leave them as they are.
  explicit Breakpoint(storage::EventQuery where_) : where(std::move(where_)) {}

  int id = 0;  // given by Timeline::add(), from 1 up, never reused
  storage::EventQuery where;
  // condition must hold too (gdb's `condition N`); kept apart from where so
  // that it can be replaced or dropped without touching the place.
  std::optional<storage::EventCondition> condition;
  bool watchpoint = false;  // reported as StopReason::Watchpoint
  bool enabled = true;      // a disabled one neither stops nor counts hits
  bool temporary = false;   // deleted at its first stop (gdb's tbreak)
  // ignore is how many more matching events to pass before stopping (gdb's
  // `ignore N COUNT`); each one passed counts down by one.
  std::uint64_t ignore = 0;
  // hits counts the matching events moves have stopped at or passed over
  // for ignore, in either direction.
  std::uint64_t hits = 0;
  // spec and condition_text are how the user wrote the place and the
  // condition, for listings ("" when none).
  std::string spec;
  std::string condition_text;
};

}  // namespace gorewind::replay
