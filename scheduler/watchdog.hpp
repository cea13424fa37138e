// watchdog.hpp: stopping what the scheduler cannot stop by itself.
//
// Three limits end a run that would otherwise crash or never end:
//
// - Stack overflow. Each goroutine stack has a guard page at its bottom
//   (stack_pool.hpp). A SIGSEGV handler, installed for the run on an
//   alternate signal stack, checks whether the fault lies in the running
//   goroutine's guard page; if so it siglongjmps back to the hub, which ends
//   the run with a "stack overflow" panic naming that goroutine and abandons
//   it: its stack is never resumed, unwound or reused. Other faults go to the
//   handler that was there before the run (Catch2's, the default one).
// - A step budget (RunOptions::max_steps): checked at each scheduling point
//   against the event seq.
// - A wall-clock timeout (RunOptions::timeout): a per-thread POSIX timer ticks
//   SIGALRM; once the deadline has passed the next scheduling point ends the
//   run, and a goroutine that makes no progress for a whole tick after it (a
//   loop with no runtime call) is abandoned like an overflowing one.
//
// The handlers only compare addresses, read the clock and jump; the hub
// formats the report after the jump. Under AddressSanitizer (which owns
// SIGSEGV, and cannot follow a jump off a fiber stack) the jumps are off:
// overflows are ASan's to report, and a timeout stops a run only at a
// scheduling point.
#pragma once

#include <signal.h>
#include <time.h>

#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include <gorewind/event.hpp>
#include <gorewind/outcome.hpp>

#include "stack_pool.hpp"

namespace gorewind::detail {

// Runaway is why a goroutine was abandoned.
enum class Runaway : int { None = 0, Overflow = 1, Timeout = 2 };

// WatchState is what the handlers read about this thread's run: plain data
// that the scheduler keeps up to date at each switch, found through a
// thread_local pointer.
struct WatchState {
  sigjmp_buf* jump = nullptr;  // armed: where to jump
  char* lo = nullptr;          // the running goroutine's stack; null while the hub runs
  std::size_t size = 0;        // each stack's size
  std::size_t guard = 0;       // guard bytes at the bottom of each stack (0: none)
  volatile sig_atomic_t reason = 0;  // a Runaway, set right before the jump
  // The timeout.
  bool timing = false;
  const std::uint64_t* seq = nullptr;
  std::atomic<std::uint64_t>* cap = nullptr;
  std::int64_t deadline_ns = 0;
  std::int64_t last_progress_ns = 0;  // when seq last moved, as seen by the ticks
  std::uint64_t last_seq = 0;
  volatile sig_atomic_t expired = 0;
  int deferrals = 0;
  std::int64_t stuck_ns = 0;  // how long the abandoned goroutine made no progress
};

class Watchdog {
 public:
  Watchdog() = default;
  ~Watchdog() { disarm(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // arm() starts watching this thread's run: seq is the run's event counter,
  // stacks the pool whose stacks the goroutines run on.
  void arm(std::uint64_t max_steps, double timeout, const std::uint64_t* seq, const StackPool& stacks);
  // disarm() restores the handlers and alternate stack from before arm().
  void disarm();

  // limit_reached() says whether the run must end at this scheduling point
  // (the step budget is spent or the deadline has passed).
  bool limit_reached(std::uint64_t seq) const { return seq >= cap_.load(std::memory_order_relaxed); }
  // cap_steps() lowers the step budget so that the run ends by event seq
  // (never raises it): the drain after main returns (scheduler.hpp).
  void cap_steps(std::uint64_t seq);
  // limit_outcome() and limit_message() describe that ending.
  Outcome limit_outcome() const;
  std::string limit_message(std::uint64_t seq) const;

  // jump_buffer() is where the handlers jump; the hub sets it right before
  // each switch to a goroutine (sigsetjmp without the signal mask).
  sigjmp_buf& jump_buffer() { return jump_; }
  // enter() and leave() bracket a goroutine's turn on its stack [lo, lo+size).
  void enter(void* lo) { state_.lo = static_cast<char*>(lo); }
  void leave() { state_.lo = nullptr; }
  // landed() is called after a jump: it unblocks the signals and says why.
  Runaway landed();
  // runaway_message() words the outcome of an abandoned goroutine.
  std::string runaway_message(Runaway why, Gid gid, const std::string& name, std::uint64_t seq) const;

 private:
  sigjmp_buf jump_;
  WatchState state_;
  std::atomic<std::uint64_t> cap_{std::numeric_limits<std::uint64_t>::max()};
  std::uint64_t max_steps_ = 0;
  double timeout_ = 0;
  std::size_t stack_limit_ = 0;  // the usable depth of a stack, for the overflow message
  bool armed_ = false;
  bool segv_ = false;
  bool alarm_ = false;
  bool altstack_ = false;
  timer_t timer_{};
};

// WatchdogHold keeps this thread's overflow watch (the alternate signal
// stack and the SIGSEGV handler) installed while it lives, so that the runs
// made meanwhile (an exploration's thousands) each arm and disarm it
// without a system call. What is installed, and when a fault is handled as
// an overflow, is the same as without it.
class WatchdogHold {
 public:
  WatchdogHold();
  ~WatchdogHold();
  WatchdogHold(const WatchdogHold&) = delete;
  WatchdogHold& operator=(const WatchdogHold&) = delete;

 private:
  bool altstack_ = false;
  bool segv_ = false;
};

}  // namespace gorewind::detail
