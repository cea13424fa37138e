// rw_mutex.hpp: sync.RWMutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <source_location>
#include <string>
#include <string_view>

#include <gorewind/detail/site_lock.hpp>
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

// The guards record the line where they are made (detail/site_lock.hpp);
// std::shared_lock holds the read side.
template <>
class std::lock_guard<gorewind::RWMutex> : public gorewind::detail::SiteGuard<gorewind::RWMutex> {
 public:
  using SiteGuard::SiteGuard;
};

template <>
class std::unique_lock<gorewind::RWMutex>
    : public gorewind::detail::SiteLock<gorewind::RWMutex, gorewind::detail::Exclusive> {
 public:
  using SiteLock::SiteLock;
};

template <>
class std::shared_lock<gorewind::RWMutex>
    : public gorewind::detail::SiteLock<gorewind::RWMutex, gorewind::detail::Shared> {
 public:
  using SiteLock::SiteLock;
};
