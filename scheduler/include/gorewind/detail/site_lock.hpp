// site_lock.hpp: the lock guards of Mutex and RWMutex, written once.
//
// std::lock_guard, std::unique_lock and std::shared_lock call lock() from
// inside a standard header, where a default std::source_location would name
// the header. mutex.hpp and rw_mutex.hpp specialise them over these
// templates, which take the location where the guard is made, in user code.
//
// Every operation that may unlock is noexcept(false): unlock is a scheduling
// point, and a goroutine switched out there when the run ends is unwound by
// an exception that must be able to leave it. A user destructor that calls a
// runtime operation needs the same (see docs/go-semantics.md, "Teardown").
#pragma once

#include <mutex>
#include <source_location>
#include <system_error>

#include <gorewind/site.hpp>

namespace gorewind::detail {

// Exclusive and Shared say which side of a mutex a guard holds.
struct Exclusive {
  template <class M>
  static void lock(M& m, const std::source_location& loc) { m.lock(loc); }
  template <class M>
  static bool try_lock(M& m, const std::source_location& loc) { return m.try_lock(loc); }
  template <class M>
  static void unlock(M& m, const std::source_location& loc) { m.unlock(loc); }
};

struct Shared {
  template <class M>
  static void lock(M& m, const std::source_location& loc) { m.lock_shared(loc); }
  template <class M>
  static bool try_lock(M& m, const std::source_location& loc) { return m.try_lock_shared(loc); }
  template <class M>
  static void unlock(M& m, const std::source_location& loc) { m.unlock_shared(loc); }
};

// SiteGuard is std::lock_guard over M: it holds M's write side from its
// construction to its destruction, both recorded at the guard's line.
template <class M>
class SiteGuard {
 public:
  using mutex_type = M;
  explicit SiteGuard(M& m, std::source_location loc = std::source_location::current()) : m_(m), loc_(loc) {
    m_.lock(loc_);
  }
  SiteGuard(M& m, std::adopt_lock_t, std::source_location loc = std::source_location::current()) noexcept
      : m_(m), loc_(loc) {}
  ~SiteGuard() noexcept(false) { m_.unlock(loc_); }
  SiteGuard(const SiteGuard&) = delete;
  SiteGuard& operator=(const SiteGuard&) = delete;

 private:
  M& m_;
  std::source_location loc_;
};

// SiteLock is std::unique_lock (Side Exclusive) or std::shared_lock (Side
// Shared) over M, with the standard's members and errors. An operation
// called without a site of its own is recorded at the lock's line.
template <class M, class Side>
class SiteLock {
 public:
  using mutex_type = M;
  SiteLock() noexcept = default;
  explicit SiteLock(M& m, std::source_location loc = std::source_location::current()) : m_(&m), loc_(loc) {
    lock(loc);
  }
  SiteLock(M& m, std::defer_lock_t, std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), loc_(loc) {}
  SiteLock(M& m, std::try_to_lock_t, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    owns_ = Side::try_lock(*m_, loc_);
  }
  SiteLock(M& m, std::adopt_lock_t, std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), owns_(true), loc_(loc) {}
  SiteLock(SiteLock&& o) noexcept : m_(o.m_), owns_(o.owns_), loc_(o.loc_) {
    o.m_ = nullptr;
    o.owns_ = false;
  }
  SiteLock& operator=(SiteLock&& o) noexcept(false) {
    if (owns_) Side::unlock(*m_, loc_);
    m_ = o.m_;
    owns_ = o.owns_;
    loc_ = o.loc_;
    o.m_ = nullptr;
    o.owns_ = false;
    return *this;
  }
  ~SiteLock() noexcept(false) {
    if (owns_) Side::unlock(*m_, loc_);
  }
  void lock(std::source_location loc = std::source_location::current()) {
    check_lockable();
    Side::lock(*m_, pick(loc));
    owns_ = true;
  }
  bool try_lock(std::source_location loc = std::source_location::current()) {
    check_lockable();
    owns_ = Side::try_lock(*m_, pick(loc));
    return owns_;
  }
  void unlock(std::source_location loc = std::source_location::current()) {
    if (!owns_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    Side::unlock(*m_, pick(loc));
    owns_ = false;
  }
  M* release() noexcept {
    M* m = m_;
    m_ = nullptr;
    owns_ = false;
    return m;
  }
  bool owns_lock() const noexcept { return owns_; }
  explicit operator bool() const noexcept { return owns_; }
  M* mutex() const noexcept { return m_; }

 private:
  void check_lockable() const {
    if (!m_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    if (owns_) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
  }
  const std::source_location& pick(const std::source_location& loc) const { return is_user_site(loc) ? loc : loc_; }

  M* m_ = nullptr;
  bool owns_ = false;
  std::source_location loc_;
};

}  // namespace gorewind::detail
