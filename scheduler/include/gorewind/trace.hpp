// trace.hpp: user annotations in the event log, the counterpart of dlv trace
// on user code.
#pragma once

#include <source_location>
#include <string_view>

#include <gorewind/value.hpp>

namespace gorewind {

namespace detail {
void trace_record(std::string_view label, ValueRef value, const std::source_location& loc);
}

// trace() adds a Trace event with a label and a value to the run (not a
// scheduling point: it never lets another goroutine run).
template <class T>
void trace(std::string_view label, const T& value, std::source_location loc = std::source_location::current()) {
  detail::trace_record(label, value_ref(value), loc);
}

// trace() with a label only.
inline void trace(std::string_view label, std::source_location loc = std::source_location::current()) {
  detail::trace_record(label, {}, loc);
}

}  // namespace gorewind
