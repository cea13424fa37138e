// shared_ring.hpp: byte messages from one process to another through shared
// memory, for a supervised run: the child runs the program and puts its
// events, the parent takes them and writes the log.
//
//   record::SharedRing ring;                 // in the parent, before fork()
//   if (fork() == 0) { ring.put(message); ... _exit(0); }   // the producer
//   while (auto m = ring.next(100ms)) ...    // the consumer; nullopt: nothing yet
//   while (auto m = ring.try_next()) ...     // after the child died: what is left
//
// SharedRing is single-producer single-consumer: exactly one process puts
// and exactly one other takes. The region is anonymous shared memory mapped
// before fork(), so both processes see it at their own copy of the same
// address; it holds no pointers (only byte counts) and no locks, so a
// producer that dies at any instant leaves nothing held. A put() message is
// a length then its bytes, wrapping around the ring; a message larger than
// the ring streams through it, the consumer reassembling it in a buffer of
// its own. The consumer delivers only whole messages: one cut short by the
// producer's death is never returned.
//
// Waiting: each side sleeps on a futex word in the region (shared between
// processes, so not FUTEX_PRIVATE) after a short spin, and raises a flag
// first, so that the other side makes the wake-up system call only when
// someone sleeps: a put() into a ring with room is a copy and a few stores.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gorewind::record {

class SharedRing {
 public:
  // kDefaultCapacity is the ring's size in bytes unless told otherwise.
  static constexpr std::size_t kDefaultCapacity = std::size_t{4} << 20;

  // SharedRing() maps a ring of capacity bytes (at least 64) shared with the
  // processes this one will fork. Throws std::system_error when the memory
  // cannot be mapped and std::invalid_argument for a smaller capacity.
  explicit SharedRing(std::size_t capacity = kDefaultCapacity);
  // ~SharedRing() unmaps this process's view of the ring.
  ~SharedRing();
  SharedRing(SharedRing&& other) noexcept;
  SharedRing& operator=(SharedRing&& other) noexcept;
  SharedRing(const SharedRing&) = delete;
  SharedRing& operator=(const SharedRing&) = delete;

  std::size_t capacity() const { return capacity_; }

  // put() appends message (any size, also empty or larger than the ring)
  // and returns once all of it is in the ring and visible to the consumer,
  // so it is delivered even if this process dies right after. Blocks while
  // the ring is full, counting that time in producer_blocked_ns(). The
  // producer's call only.
  void put(std::string_view message);

  // next() is the next whole message, valid until the next call to next()
  // or try_next(); nullopt when none completed within wait. The consumer's
  // call only.
  std::optional<std::string_view> next(std::chrono::milliseconds wait);
  // try_next() is next() without waiting: after the producer has died, it
  // drains what the producer finished putting.
  std::optional<std::string_view> try_next() { return next(std::chrono::milliseconds(0)); }

  // published() is how far the producer has published, as a position in
  // the stream of bytes: every message put() before this call lies before
  // it. The consumer's call, to mark a moment.
  std::uint64_t published() const;
  // delivered() is the position just after the last message next() has
  // returned: once it reaches a published() mark, every message put()
  // before the mark was taken. The consumer's call.
  std::uint64_t delivered() const { return delivered_; }

  // producer_blocked_ns() is the wall time, in nanoseconds, the producer
  // has spent in put() waiting for room (the consumer falling behind), so a
  // supervisor's timeout can leave it out. Either side may read it.
  std::uint64_t producer_blocked_ns() const;

 private:
  struct Control;

  // copy_in() and copy_out() move n bytes to or from ring position pos
  // (a byte count since the start), wrapping around the end.
  void copy_in(std::uint64_t pos, const char* from, std::size_t n);
  void copy_out(std::uint64_t pos, char* to, std::size_t n) const;
  // room() is how many bytes the producer may write, by the tail it saw
  // last, looked at again only when that leaves little room.
  std::uint64_t room();
  // wait_for_room() returns once the producer may write `need` bytes.
  void wait_for_room(std::uint64_t need);
  // publish() makes the producer's bytes up to head_ visible and wakes a
  // sleeping consumer.
  void publish();
  // take() moves what has arrived into the message being assembled; true
  // when that message is whole.
  bool take();
  // wait_for_data() sleeps until bytes beyond the consumer's arrive or the
  // deadline passes; false at the deadline.
  bool wait_for_data(std::chrono::steady_clock::time_point deadline);
  void unmap() noexcept;

  Control* control_ = nullptr;  // the shared header; the bytes follow it
  char* data_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t mapped_ = 0;

  // The producer's own: where its next byte goes, and the consumer's tail
  // as it last read it (reading it for every message would move its cache
  // line back and forth).
  std::uint64_t head_ = 0;
  std::uint64_t tail_seen_ = 0;
  // The consumer's own: the message being assembled and what it still lacks.
  std::string message_;
  std::uint64_t tail_ = 0;
  std::uint64_t missing_ = 0;
  bool in_message_ = false;
  std::uint64_t delivered_ = 0;  // tail_ when the last whole message was taken
};

}  // namespace gorewind::record
