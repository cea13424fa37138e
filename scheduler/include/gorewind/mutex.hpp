// mutex.hpp: sync.Mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <source_location>
#include <string>
#include <string_view>
#include <system_error>

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

// std::lock_guard and std::unique_lock call lock() from inside a standard
// header, where a default std::source_location would name the header. These
// specialisations take the location where the guard is made, in user code.
//
// Their destructors are noexcept(false): unlock is a scheduling point, and a
// goroutine switched out there when the run ends is unwound by an exception
// that must be able to leave the destructor. A user destructor that calls a
// runtime operation needs the same (see README, "Teardown").
template <>
class std::lock_guard<gorewind::Mutex> {
 public:
  using mutex_type = gorewind::Mutex;
  explicit lock_guard(gorewind::Mutex& m, std::source_location loc = std::source_location::current())
      : m_(m), loc_(loc) {
    m_.lock(loc_);
  }
  lock_guard(gorewind::Mutex& m, std::adopt_lock_t, std::source_location loc = std::source_location::current())
      : m_(m), loc_(loc) {}
  ~lock_guard() noexcept(false) { m_.unlock(loc_); }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  gorewind::Mutex& m_;
  std::source_location loc_;
};

template <>
class std::unique_lock<gorewind::Mutex> {
 public:
  using mutex_type = gorewind::Mutex;
  unique_lock() noexcept = default;
  explicit unique_lock(gorewind::Mutex& m, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    lock(loc);
  }
  unique_lock(gorewind::Mutex& m, std::defer_lock_t, std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), loc_(loc) {}
  unique_lock(gorewind::Mutex& m, std::try_to_lock_t, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    owns_ = m_->try_lock(loc);
  }
  unique_lock(gorewind::Mutex& m, std::adopt_lock_t, std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), owns_(true), loc_(loc) {}
  unique_lock(unique_lock&& o) noexcept : m_(o.m_), owns_(o.owns_), loc_(o.loc_) {
    o.m_ = nullptr;
    o.owns_ = false;
  }
  unique_lock& operator=(unique_lock&& o) noexcept {
    if (owns_) m_->unlock(loc_);
    m_ = o.m_;
    owns_ = o.owns_;
    loc_ = o.loc_;
    o.m_ = nullptr;
    o.owns_ = false;
    return *this;
  }
  ~unique_lock() noexcept(false) {
    if (owns_) m_->unlock(loc_);
  }
  void lock(std::source_location loc = std::source_location::current()) {
    if (!m_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    if (owns_) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
    m_->lock(is_default_site(loc) ? loc_ : loc);
    owns_ = true;
  }
  bool try_lock(std::source_location loc = std::source_location::current()) {
    if (!m_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    if (owns_) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
    owns_ = m_->try_lock(is_default_site(loc) ? loc_ : loc);
    return owns_;
  }
  void unlock(std::source_location loc = std::source_location::current()) {
    if (!owns_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    m_->unlock(is_default_site(loc) ? loc_ : loc);
    owns_ = false;
  }
  gorewind::Mutex* release() noexcept {
    auto* m = m_;
    m_ = nullptr;
    owns_ = false;
    return m;
  }
  bool owns_lock() const noexcept { return owns_; }
  explicit operator bool() const noexcept { return owns_; }
  gorewind::Mutex* mutex() const noexcept { return m_; }

 private:
  static bool is_default_site(const std::source_location& loc) { return !gorewind::is_user_site(loc); }
  gorewind::Mutex* m_ = nullptr;
  bool owns_ = false;
  std::source_location loc_;
};
