// detail/wait_queue.hpp: the FIFO queues of parked goroutines that channels,
// mutexes and WaitGroups keep (Go's sudog lists).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gorewind::detail {

struct Goroutine;
struct SelectWait;
struct StateAccess;
class WaitQueue;

// Waiter is one parked goroutine's place in one WaitQueue. It lives on the
// goroutine's stack for as long as the goroutine is parked; a select has one
// per channel case. The destructor leaves the queue, so unwinding is safe.
// The fields are ordered largest first so that it packs into 72 bytes.
struct Waiter {
  Goroutine* g = nullptr;
  void* data = nullptr;   // send: the T* offered; receive: the std::optional<T>* to fill
  SelectWait* sel = nullptr;
  std::uint64_t cause = 0;  // seq of the event that completed the operation
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  WaitQueue* queue = nullptr;
  std::uint32_t peer = 0;   // gid of the goroutine that completed it
  int case_index = -1;
  bool is_send = false;
  bool ok = true;         // receive: false when woken by close; send: false when the channel closed
  bool done = false;      // the operation completed (or the channel closed) and g was woken

  Waiter() = default;
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  ~Waiter() { unlink(); }
  void unlink();
};

// WaitQueue is an intrusive FIFO of Waiters. Destroying it detaches every
// waiter still in it.
class WaitQueue {
 public:
  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;
  ~WaitQueue();

  bool empty() const { return head_ == nullptr; }
  Waiter* front() const { return head_; }
  void push_back(Waiter* w) {
    w->queue = this;
    w->prev = tail_;
    w->next = nullptr;
    (tail_ ? tail_->next : head_) = w;
    tail_ = w;
  }
  // push_front() queues w first: a mutex waiter that lost the race after
  // being woken goes back to the head, as in Go.
  void push_front(Waiter* w);
  // pop_front() removes and returns the first waiter, or null.
  Waiter* pop_front() {
    Waiter* w = head_;
    if (w) w->unlink();
    return w;
  }
  // size() counts the waiters (a walk: queues are short where it is used).
  std::size_t size() const;
  // take() removes and returns the i-th waiter (0: the first); i < size().
  Waiter* take(std::size_t i);

 private:
  friend struct Waiter;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

// Inline, like push_back() and pop_front(): every channel operation that
// meets a waiter does these.
inline void Waiter::unlink() {
  if (!queue) return;
  (prev ? prev->next : queue->head_) = next;
  (next ? next->prev : queue->tail_) = prev;
  prev = next = nullptr;
  queue = nullptr;
}

}  // namespace gorewind::detail
