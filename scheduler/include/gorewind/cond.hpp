// cond.hpp: sync.Cond.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include <gorewind/detail/wait_queue.hpp>
#include <gorewind/event.hpp>
#include <gorewind/mutex.hpp>

namespace gorewind {

// Cond is Go's sync.Cond over a Mutex (`gr::Cond c(mu)`, Go's sync.NewCond).
//
// wait() must be called with the mutex held. It joins the Cond's waiters,
// unlocks the mutex and parks (WaitReason Cond) until signal() or
// broadcast() picks it; then it locks the mutex again with an ordinary,
// contended lock() before it returns (event CondWait). Joining comes before
// the unlock, as in Go (notifyListAdd, then Unlock), so a signal sent once
// the mutex is released is never lost; but the goroutine that re-locks first
// may change the state, so the condition may no longer hold when wait()
// returns: check it in a loop. wait() without the mutex held is the fatal
// error of unlocking an unlocked mutex.
//
// signal() wakes the goroutine that has waited longest (FIFO, as Go's
// notifyList), broadcast() wakes all; neither needs the mutex held, and with
// nobody waiting they do nothing (a signal is not remembered). Every call is
// a scheduling point.
class Cond {
 public:
  explicit Cond(Mutex& mu, std::string_view name = {}) : mu_(mu), name_(name) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  void wait(std::source_location loc = std::source_location::current());
  void signal(std::source_location loc = std::source_location::current());
  void broadcast(std::source_location loc = std::source_location::current());
  // mutex() is the mutex the Cond was made with (Go's c.L).
  Mutex& mutex() const { return mu_; }
  const std::string& name() const { return name_; }

 private:
  std::uint32_t id(const std::source_location& loc);
  Mutex& mu_;
  std::string name_;
  std::uint64_t generation_ = 0;
  std::uint32_t id_ = 0;
  detail::WaitQueue waiters_;
};

}  // namespace gorewind
