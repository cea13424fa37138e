// processors.hpp: the Ps of Go's scheduler in virtual time, for the G-M-P
// model (RunOptions::procs). Private to the runtime.
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/event.hpp>

#include "run_queues.hpp"

namespace gorewind::detail {

// Processors are a run's Ps under GOMAXPROCS=procs: their run queues, and for
// each the goroutine it runs (p.m.curg), its virtual CPU clock and its M. The run is
// one thread, so the Ps take turns as in a discrete-event simulation: the P
// whose clock is earliest acts next, and the current P's clock is the run's
// now. A P is idle when it runs nothing; an idle P with work to find (its
// own, the global queue's, or another P's to steal) acts at its own clock,
// which a wake raises to the waker's time (wakep(): an idle P starts looking
// once there is work).
class Processors {
 public:
  struct P {
    Gid curg = 0;             // the goroutine it runs, 0: idle
    std::int64_t clock = 0;   // its virtual CPU time, in ns (the current P's is in the caller's now)
    std::int64_t slice = 0;   // the clock when its goroutine's time slice began (schedtick moved)
    std::int32_t m = 0;       // the M (OS thread) it runs on
  };

  // P k starts on M k.
  explicit Processors(unsigned procs);

  RunQueues queues;

  unsigned size() const { return static_cast<unsigned>(ps_.size()); }
  unsigned current() const { return current_; }
  P& operator[](unsigned p) { return ps_[p]; }
  const P& operator[](unsigned p) const { return ps_[p]; }
  // enter() makes p the current P: now, the current P's clock, is kept as
  // its clock and becomes p's.
  void enter(unsigned p, std::int64_t& now) {
    ps_[current_].clock = now;
    current_ = p;
    now = ps_[p].clock;
  }
  // wake_idle() raises each idle P's clock to now, when work appeared.
  void wake_idle(std::int64_t now) {
    for (P& p : ps_)
      if (p.curg == 0 && p.clock < now) p.clock = now;
  }
  // running() says whether some P runs a goroutine.
  bool running() const;
  // earliest() lists in tied the Ps that may act next, those at the
  // earliest clock (the current P first, then the others counting on from
  // it), and returns that clock; now is the current P's. Empty when no P
  // runs a goroutine and none is queued.
  std::int64_t earliest(std::int64_t now, std::vector<unsigned>& tied) const;
  // latest() is the latest clock of any P: how long the run took.
  std::int64_t latest(std::int64_t now) const;

  // Ms. A goroutine in a blocking system call keeps its M, and its P goes on
  // with another (entersyscallblock(), handoffp()): hand_off() gives P p an
  // idle M, else a new one. Back from the call, the M takes an idle P
  // (bind(), exitsyscallfast(): that P's M goes idle) or stops (release_m(),
  // stopm()). The idle Ms are a stack, as sched.midle is: the one that
  // stopped last starts first.
  void hand_off(unsigned p);
  void bind(unsigned p, std::int32_t m);
  void release_m(std::int32_t m) { idle_ms_.push_back(m); }
  // idle_ms() are the Ms that hold no P and run nothing, the next to start last.
  const std::vector<std::int32_t>& idle_ms() const { return idle_ms_; }

 private:
  std::vector<P> ps_;
  unsigned current_ = 0;
  std::int32_t ms_ = 0;               // Ms made so far, numbered 0, 1, ...
  std::vector<std::int32_t> idle_ms_;
};

}  // namespace gorewind::detail
