// event_condition.hpp: a condition over an event's fields, as Delve's
// `condition` takes one (the debugger's `break SPEC if C`): comparisons of
// fields with integers, joined by `and` and `or` (`and` binding tighter),
// such as
//
//   goroutine > 100
//   value >= 3 and seq < 500
//   g == 2 || peer == 2
//
// Fields: goroutine (g, gid), seq, time (virtual, ns), value (an integer
// value; events with no integer value never match), peer, obj, amount,
// counter, case (a select's chosen case), p and m (the P and the M under
// Go's scheduler; no event of gorewind's own model has one, so none
// matches). Operators: == (=) != < <= > >=.
// A condition is a value: EventQuery carries it and the reader evaluates it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace gorewind::storage {

// ConditionError is a condition that does not parse; its message says where.
class ConditionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// EventCondition is a parsed condition in the form it was typed: any of
// the groups holds when all of its comparisons do.
struct EventCondition {
  // Field is an event field a comparison reads.
  enum class Field : std::uint8_t { Goroutine, Seq, Time, Value, Peer, Obj, Amount, Counter, Case, P, M };
  // Op is a comparison.
  enum class Op : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };
  struct Comparison {
    Field field;
    Op op;
    std::int64_t number;
  };
  std::vector<std::vector<Comparison>> any_of;

  // parse() reads text; throws ConditionError saying what is wrong where.
  static EventCondition parse(std::string_view text);
  // field_named() is the field a name (or its short form) stands for in a
  // condition; nullopt for no field.
  static std::optional<Field> field_named(std::string_view name);
};

// all_of() is the condition that holds where both a and b do.
EventCondition all_of(const EventCondition& a, const EventCondition& b);

}  // namespace gorewind::storage
