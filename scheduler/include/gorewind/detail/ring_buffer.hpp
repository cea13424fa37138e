// detail/ring_buffer.hpp: a channel's buffer. Not for user code.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace gorewind::detail {

// RingBuffer<T> is a FIFO of at most `limit` values in one circular array:
// pushing and popping move one value and never allocate, unlike std::deque,
// which allocates a block every few hundred bytes of traffic. The array grows
// by doubling (capped at limit) as values arrive, so a channel made with room
// for a million values that holds three costs a few slots, and never shrinks.
template <class T>
class RingBuffer {
 public:
  explicit RingBuffer(std::size_t limit) : limit_(limit) {}
  ~RingBuffer() {
    clear();
    std::allocator<T>().deallocate(slots_, cap_);
  }
  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;

  std::size_t size() const { return size_; }
  // operator[] is the i-th value (0: the front); i < size().
  const T& operator[](std::size_t i) const { return slots_[wrap(head_ + i)]; }
  T& front() { return slots_[head_]; }

  // push_back() moves v in at the back; requires size() < limit.
  void push_back(T&& v) {
    // The growing path returns on its own, so that the common one needs no
    // saved registers (GCC then puts the prologue on the growing path only).
    if (size_ == cap_) [[unlikely]] return grow_and_push(std::move(v));
    new (&slots_[wrap(head_ + size_)]) T(std::move(v));
    ++size_;
  }
  // pop_front() destroys the front value; requires size() > 0.
  void pop_front() {
    slots_[head_].~T();
    head_ = wrap(head_ + 1);
    --size_;
  }
  void clear() {
    while (size_ > 0) pop_front();
    head_ = 0;
  }

 private:
  // wrap() maps an index in [0, 2 * cap_) into the array.
  std::size_t wrap(std::size_t i) const { return i >= cap_ ? i - cap_ : i; }
  [[gnu::noinline]] void grow_and_push(T&& v) {
    grow();
    new (&slots_[wrap(head_ + size_)]) T(std::move(v));
    ++size_;
  }
  void grow() {  // rare: kept out of push_back()'s way
    std::size_t cap = cap_ < 4 ? 4 : cap_ * 2;
    if (cap > limit_) cap = limit_;
    T* slots = std::allocator<T>().allocate(cap);
    std::size_t moved = 0;
    try {
      for (; moved < size_; ++moved) new (&slots[moved]) T(std::move_if_noexcept(slots_[wrap(head_ + moved)]));
    } catch (...) {
      for (std::size_t i = 0; i < moved; ++i) slots[i].~T();
      std::allocator<T>().deallocate(slots, cap);
      throw;
    }
    const std::size_t n = size_;
    clear();
    std::allocator<T>().deallocate(slots_, cap_);
    slots_ = slots;
    cap_ = cap;
    size_ = n;
  }

  T* slots_ = nullptr;
  std::size_t cap_ = 0;   // slots allocated
  std::size_t head_ = 0;  // the front value's slot
  std::size_t size_ = 0;
  std::size_t limit_;     // the channel's capacity: the array never grows past it
};

}  // namespace gorewind::detail
