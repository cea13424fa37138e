#include <gorewind/detail/wait_queue.hpp>

namespace gorewind::detail {

WaitQueue::~WaitQueue() {
  while (head_) head_->unlink();
}

void WaitQueue::push_front(Waiter* w) {
  w->queue = this;
  w->prev = nullptr;
  w->next = head_;
  (head_ ? head_->prev : tail_) = w;
  head_ = w;
}

std::size_t WaitQueue::size() const {
  std::size_t n = 0;
  for (const Waiter* w = head_; w; w = w->next) ++n;
  return n;
}

Waiter* WaitQueue::take(std::size_t i) {
  Waiter* w = head_;
  while (i-- > 0) w = w->next;
  w->unlink();
  return w;
}

}  // namespace gorewind::detail
