// rw_mutex.hpp: sync.RWMutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <source_location>
#include <string>
#include <string_view>
#include <system_error>

#include <gorewind/detail/wait_queue.hpp>
#include <gorewind/event.hpp>
#include <gorewind/site.hpp>

namespace gorewind {

// RWMutex is Go's sync.RWMutex: any number of readers or one writer. Every
// operation is a scheduling point.
//
// Writers first compete for the writer's slot as for a Mutex (the strategy
// picks which waiting writer an unlock wakes, and it competes with any writer
// that arrives first). The one that gets it announces
// itself: from then on new readers block (WaitReason RWMutexRead) even while
// earlier readers still hold the lock, and the writer waits for those to
// leave (WaitReason RWMutexWrite). So, as in Go, a goroutine that takes a read
// lock it already holds while a writer waits deadlocks. Unlock hands the lock
// to every reader that queued behind the writer before the next writer may
// take the slot.
//
// Unlock when no writer holds the lock and RUnlock when no reader does are
// fatal errors that end the run ("fatal error: sync: Unlock of unlocked
// RWMutex", "... RUnlock of unlocked RWMutex"); they cannot be recovered.
//
// Works with std::lock_guard and std::unique_lock (the write side) and
// std::shared_lock (the read side), which record the user's line.
class RWMutex {
 public:
  explicit RWMutex(std::string_view name = {}) : name_(name) {}
  ~RWMutex();
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  // lock() takes the write lock (Go's Lock).
  void lock(std::source_location loc = std::source_location::current());
  // unlock() releases the write lock (Go's Unlock).
  void unlock(std::source_location loc = std::source_location::current());
  // try_lock() takes the write lock if no writer has it (or has announced
  // itself) and no reader holds it, and says whether it did (Go's TryLock).
  bool try_lock(std::source_location loc = std::source_location::current());
  // lock_shared() takes a read lock (Go's RLock).
  void lock_shared(std::source_location loc = std::source_location::current());
  // unlock_shared() releases a read lock (Go's RUnlock).
  void unlock_shared(std::source_location loc = std::source_location::current());
  // try_lock_shared() takes a read lock unless a writer holds the lock or
  // waits for it, and says whether it did (Go's TryRLock).
  bool try_lock_shared(std::source_location loc = std::source_location::current());

  // Go's spellings of the same operations.
  void rlock(std::source_location loc = std::source_location::current()) { lock_shared(loc); }
  void runlock(std::source_location loc = std::source_location::current()) { unlock_shared(loc); }

  // readers() is the number of read locks held.
  std::int64_t readers() const { return readers_; }
  // write_locked() says whether a writer holds the lock (not only waits for it).
  bool write_locked() const { return writer_slot_ && !writer_draining_; }
  const std::string& name() const { return name_; }

 private:
  friend struct detail::StateAccess;
  std::uint32_t id(const std::source_location& loc);
  std::string name_;
  std::uint64_t generation_ = 0;
  std::uint32_t id_ = 0;
  // writer_slot_: a writer holds the lock or has announced itself and waits
  // for the readers to leave (writer_draining_); new readers then queue.
  bool writer_slot_ = false;
  bool writer_draining_ = false;
  std::int64_t readers_ = 0;         // read locks held
  Gid writer_ = 0;                   // the goroutine holding it for writing
  detail::WaitQueue writers_;        // writers waiting for the writer's slot
  detail::WaitQueue drain_;          // the announced writer, waiting for readers_ == 0
  detail::WaitQueue readers_queue_;  // readers blocked behind a writer
};

}  // namespace gorewind

// std::lock_guard, std::unique_lock and std::shared_lock call lock() from
// inside a standard header, where a default std::source_location would name
// the header. These specialisations take the location where the guard is
// made, in user code. Their destructors are noexcept(false), as for Mutex:
// see mutex.hpp and README, "Teardown".
template <>
class std::lock_guard<gorewind::RWMutex> {
 public:
  using mutex_type = gorewind::RWMutex;
  explicit lock_guard(gorewind::RWMutex& m, std::source_location loc = std::source_location::current())
      : m_(m), loc_(loc) {
    m_.lock(loc_);
  }
  lock_guard(gorewind::RWMutex& m, std::adopt_lock_t, std::source_location loc = std::source_location::current())
      : m_(m), loc_(loc) {}
  ~lock_guard() noexcept(false) { m_.unlock(loc_); }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  gorewind::RWMutex& m_;
  std::source_location loc_;
};

template <>
class std::unique_lock<gorewind::RWMutex> {
 public:
  using mutex_type = gorewind::RWMutex;
  unique_lock() noexcept = default;
  explicit unique_lock(gorewind::RWMutex& m, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    lock(loc);
  }
  unique_lock(gorewind::RWMutex& m, std::defer_lock_t,
              std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), loc_(loc) {}
  unique_lock(gorewind::RWMutex& m, std::try_to_lock_t, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    owns_ = m_->try_lock(loc);
  }
  unique_lock(gorewind::RWMutex& m, std::adopt_lock_t,
              std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), owns_(true), loc_(loc) {}
  unique_lock(unique_lock&& o) noexcept : m_(o.m_), owns_(o.owns_), loc_(o.loc_) {
    o.m_ = nullptr;
    o.owns_ = false;
  }
  unique_lock& operator=(unique_lock&& o) noexcept(false) {
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
    check_lockable();
    m_->lock(pick(loc));
    owns_ = true;
  }
  bool try_lock(std::source_location loc = std::source_location::current()) {
    check_lockable();
    owns_ = m_->try_lock(pick(loc));
    return owns_;
  }
  void unlock(std::source_location loc = std::source_location::current()) {
    if (!owns_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    m_->unlock(pick(loc));
    owns_ = false;
  }
  gorewind::RWMutex* release() noexcept {
    auto* m = m_;
    m_ = nullptr;
    owns_ = false;
    return m;
  }
  bool owns_lock() const noexcept { return owns_; }
  explicit operator bool() const noexcept { return owns_; }
  gorewind::RWMutex* mutex() const noexcept { return m_; }

 private:
  void check_lockable() const {
    if (!m_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    if (owns_) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
  }
  const std::source_location& pick(const std::source_location& loc) const {
    return gorewind::is_user_site(loc) ? loc : loc_;
  }
  gorewind::RWMutex* m_ = nullptr;
  bool owns_ = false;
  std::source_location loc_;
};

template <>
class std::shared_lock<gorewind::RWMutex> {
 public:
  using mutex_type = gorewind::RWMutex;
  shared_lock() noexcept = default;
  explicit shared_lock(gorewind::RWMutex& m, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    lock(loc);
  }
  shared_lock(gorewind::RWMutex& m, std::defer_lock_t,
              std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), loc_(loc) {}
  shared_lock(gorewind::RWMutex& m, std::try_to_lock_t, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    owns_ = m_->try_lock_shared(loc);
  }
  shared_lock(gorewind::RWMutex& m, std::adopt_lock_t,
              std::source_location loc = std::source_location::current()) noexcept
      : m_(&m), owns_(true), loc_(loc) {}
  shared_lock(shared_lock&& o) noexcept : m_(o.m_), owns_(o.owns_), loc_(o.loc_) {
    o.m_ = nullptr;
    o.owns_ = false;
  }
  shared_lock& operator=(shared_lock&& o) noexcept(false) {
    if (owns_) m_->unlock_shared(loc_);
    m_ = o.m_;
    owns_ = o.owns_;
    loc_ = o.loc_;
    o.m_ = nullptr;
    o.owns_ = false;
    return *this;
  }
  ~shared_lock() noexcept(false) {
    if (owns_) m_->unlock_shared(loc_);
  }
  void lock(std::source_location loc = std::source_location::current()) {
    check_lockable();
    m_->lock_shared(pick(loc));
    owns_ = true;
  }
  bool try_lock(std::source_location loc = std::source_location::current()) {
    check_lockable();
    owns_ = m_->try_lock_shared(pick(loc));
    return owns_;
  }
  void unlock(std::source_location loc = std::source_location::current()) {
    if (!owns_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    m_->unlock_shared(pick(loc));
    owns_ = false;
  }
  gorewind::RWMutex* release() noexcept {
    auto* m = m_;
    m_ = nullptr;
    owns_ = false;
    return m;
  }
  bool owns_lock() const noexcept { return owns_; }
  explicit operator bool() const noexcept { return owns_; }
  gorewind::RWMutex* mutex() const noexcept { return m_; }

 private:
  void check_lockable() const {
    if (!m_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    if (owns_) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
  }
  const std::source_location& pick(const std::source_location& loc) const {
    return gorewind::is_user_site(loc) ? loc : loc_;
  }
  gorewind::RWMutex* m_ = nullptr;
  bool owns_ = false;
  std::source_location loc_;
};
