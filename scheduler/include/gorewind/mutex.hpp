// mutex.hpp: sync.Mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <source_location>
#include <string>
#include <string_view>

#include <gorewind/detail/site_lock.hpp>
#include <gorewind/detail/wait_queue.hpp>
#include <gorewind/event.hpp>
#include <gorewind/site.hpp>

namespace gorewind {

// Mutex is Go's sync.Mutex. Lock and unlock are scheduling points; a released
// mutex is not handed to a waiter: the woken waiter competes with any
// goroutine that arrives first, as in Go's normal mode, so who gets the lock
// is up to the schedule. Unlocking an unlocked mutex is a fatal error that
// ends the run (it cannot be recovered). Any goroutine may unlock it. Works
// with std::lock_guard and std::unique_lock, which record the user's line.
class Mutex {
 public:
  explicit Mutex(std::string_view name = {}) : name_(name) {}
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock(std::source_location loc = std::source_location::current());
  void unlock(std::source_location loc = std::source_location::current());
  // try_lock() takes the mutex if it is free and says whether it did.
  bool try_lock(std::source_location loc = std::source_location::current());
  // locked() says whether some goroutine holds it.
  bool locked() const { return locked_; }
  const std::string& name() const { return name_; }

 private:
  friend struct detail::StateAccess;
  std::uint32_t id(const std::source_location& loc);
  std::string name_;
  std::uint64_t generation_ = 0;
  std::uint32_t id_ = 0;
  bool locked_ = false;
  Gid owner_ = 0;
  detail::WaitQueue waiters_;
};

}  // namespace gorewind

// The guards record the line where they are made (detail/site_lock.hpp).
template <>
class std::lock_guard<gorewind::Mutex> : public gorewind::detail::SiteGuard<gorewind::Mutex> {
 public:
  using SiteGuard::SiteGuard;
};

template <>
class std::unique_lock<gorewind::Mutex>
    : public gorewind::detail::SiteLock<gorewind::Mutex, gorewind::detail::Exclusive> {
 public:
  using SiteLock::SiteLock;
};
