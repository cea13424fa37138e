// timer.hpp: time.Timer.
#pragma once

#include <memory>
#include <source_location>

#include <gorewind/channel.hpp>
#include <gorewind/time.hpp>

namespace gorewind {

namespace detail {
struct TimerState;
}

// Timer is Go's *time.Timer with Go 1.23 semantics: C receives the virtual
// time once the timer fires, and after stop() or reset() returns no stale
// value from before the call is ever received. Copies share the timer.
// (C reports cap 1 and len 1 while a fired value waits; Go 1.23 reports 0.)
class Timer {
 public:
  // Timer() starts a timer that fires after d.
  explicit Timer(Duration d, std::source_location loc = std::source_location::current());
  // stop() stops the timer; true when it was still pending (not fired, or
  // fired with its value not yet received).
  bool stop(std::source_location loc = std::source_location::current());
  // reset() restarts it to fire after d; true when it was still pending.
  bool reset(Duration d, std::source_location loc = std::source_location::current());

  chan<Time> C;

 private:
  std::shared_ptr<detail::TimerState> state_;
};

// Ticker is Go's *time.Ticker: C receives the time every period; ticks nobody
// has room for are dropped. stop() ends it, reset() changes the period.
class Ticker {
 public:
  explicit Ticker(Duration period, std::source_location loc = std::source_location::current());
  void stop(std::source_location loc = std::source_location::current());
  void reset(Duration period, std::source_location loc = std::source_location::current());

  chan<Time> C;

 private:
  std::shared_ptr<detail::TimerState> state_;
};

}  // namespace gorewind
