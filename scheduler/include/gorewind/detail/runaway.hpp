// detail/runaway.hpp: what the runtime's watchdog and a supervisor share
// about a run that would not end: the clock they read, the interrupted
// code's registers in a signal handler, and the words of their reports.
// Not for user code.
#pragma once

#include <cstdint>
#include <string>

#include <gorewind/event.hpp>

namespace gorewind::detail {

// monotonic_ns() is CLOCK_MONOTONIC in nanoseconds: async-signal-safe.
std::int64_t monotonic_ns();
// context_pc() and context_sp() are the instruction and stack pointers of
// the code a signal interrupted, from the handler's ucontext (0 where the
// architecture is not known).
std::uintptr_t context_pc(void* ucontext);
std::uintptr_t context_sp(void* ucontext);

// spin_message() words a goroutine that ran for seconds without reaching a
// scheduling point; slow_message() a run that outlived its timeout while
// still making events.
std::string spin_message(Gid gid, const std::string& name, double seconds, std::uint64_t last_seq);
std::string slow_message(double timeout, std::uint64_t last_seq);

}  // namespace gorewind::detail
