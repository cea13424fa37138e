// time.hpp: virtual time.
//
// The clock is virtual: it starts at zero and moves only when every goroutine
// is blocked and a timer is pending, then jumps straight to the earliest
// timer (as Go's testing/synctest bubbles do). So a timeout never beats work
// that is runnable: `select` over a channel and after_case(5s) times out only
// if nothing can send first. Sleeps and timeouts take no wall time. Under Go's
// scheduler (RunOptions::procs) each P has a clock of its own instead, which
// its goroutines' work() and events move on, and a timer fires once the
// earliest clock reaches it (docs/gmp.md); now() is the clock of the caller's P.
#pragma once

#include <chrono>
#include <cstdint>
#include <source_location>

namespace gorewind {

template <class T>
class chan;

// virtual_clock is the run's clock, a std::chrono clock.
struct virtual_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<virtual_clock>;
  static constexpr bool is_steady = true;
  // now() is the current virtual time of the running run.
  static time_point now();
};

using Duration = std::chrono::nanoseconds;
using Time = virtual_clock::time_point;

// sleep() parks the goroutine for d of virtual time.
void sleep(Duration d, std::source_location loc = std::source_location::current());

// work() says that the goroutine spends d of CPU time here (a handler's
// computation, say). Under Go's scheduler (RunOptions::procs) its P's clock
// moves on by d, Ps whose clocks are earlier act meanwhile, and a goroutine
// that holds its P for 10ms is preempted (docs/gmp.md); in gorewind's own
// model the run's clock moves on by d.
void work(Duration d, std::source_location loc = std::source_location::current());

// syscall() is a blocking system call that takes d of virtual time (a
// read(), a DNS lookup). Under Go's scheduler the goroutine keeps its M and
// hands its P to another M meanwhile (entersyscallblock(), handoffp()), so
// the P runs other goroutines; back, it takes its old P if that is idle,
// else any idle P, else waits in the global queue (exitsyscall()). In
// gorewind's own model it is a sleep of d.
void syscall(Duration d, std::source_location loc = std::source_location::current());

// after() returns a channel that receives the virtual time once d has passed
// (time.After). Capacity 1: the value waits if nobody is receiving.
chan<Time> after(Duration d, std::source_location loc = std::source_location::current());

// now() is the current virtual time.
inline Time now() { return virtual_clock::now(); }

}  // namespace gorewind
