// breakpoint_condition.hpp: the condition after `break SPEC if`, as Delve's
// `condition` takes one: comparisons of an event's fields with integers,
// joined by `and` and `or` (`and` binding tighter), such as
//
//   goroutine > 100
//   value >= 3 and seq < 500
//   g == 2 || peer == 2
//
// Fields: goroutine (g, gid), seq, time (virtual, ns), value (an integer
// value; events with no integer value never match), peer, obj, amount,
// counter, case (a select's chosen case). Operators: == (=) != < <= > >=.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gorewind::cli {

// ConditionError is a condition that does not parse; its message says where.
class ConditionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// condition_sql() is text as an SQL expression over the events table's
// columns, built only of column names, operators and integers that this
// function wrote itself (nothing of text reaches the SQL as typed). Throws
// ConditionError.
std::string condition_sql(std::string_view text);

}  // namespace gorewind::cli
