// shared_schedule.cpp: see shared_schedule.hpp.
#include <gorewind/record/shared_schedule.hpp>

#include <new>
#include <type_traits>

namespace gorewind::record {

static_assert(std::is_trivially_copyable_v<Choice>);

SharedSchedule::SharedSchedule(std::size_t capacity)
    : capacity_(capacity),
      mapping_(sizeof(Header) + capacity * sizeof(Choice)),
      header_(new (mapping_.data()) Header{}),
      choices_(reinterpret_cast<Choice*>(static_cast<char*>(mapping_.data()) + sizeof(Header))) {}

void SharedSchedule::clear() {
  header_->size.store(0, std::memory_order_relaxed);
  header_->overflowed.store(false, std::memory_order_release);
}

void SharedSchedule::add(const Choice& c) {
  const std::uint64_t n = header_->size.load(std::memory_order_relaxed);
  if (n == capacity_) {
    header_->overflowed.store(true, std::memory_order_release);
    return;
  }
  choices_[n] = c;
  header_->size.store(n + 1, std::memory_order_release);
}

std::vector<Choice> SharedSchedule::choices() const {
  return {choices_, choices_ + header_->size.load(std::memory_order_acquire)};
}

bool SharedSchedule::overflowed() const { return header_->overflowed.load(std::memory_order_acquire); }

}  // namespace gorewind::record
