// shared_bytes.cpp: see shared_bytes.hpp.
#include <gorewind/record/shared_bytes.hpp>

#include <cstring>
#include <new>

namespace gorewind::record {

SharedBytes::SharedBytes(std::size_t capacity)
    : capacity_(capacity),
      mapping_(sizeof(Header) + capacity),
      header_(new (mapping_.data()) Header{}),
      bytes_(static_cast<char*>(mapping_.data()) + sizeof(Header)) {}

void SharedBytes::clear() {
  header_->size.store(0, std::memory_order_relaxed);
  header_->overflowed.store(false, std::memory_order_release);
}

void SharedBytes::append(std::string_view piece) {
  if (header_->overflowed.load(std::memory_order_relaxed)) return;
  const std::uint64_t n = header_->size.load(std::memory_order_relaxed);
  if (piece.size() > capacity_ - n) {
    header_->overflowed.store(true, std::memory_order_release);
    return;
  }
  std::memcpy(bytes_ + n, piece.data(), piece.size());
  header_->size.store(n + piece.size(), std::memory_order_release);
}

std::string_view SharedBytes::bytes() const { return {bytes_, header_->size.load(std::memory_order_acquire)}; }

bool SharedBytes::overflowed() const { return header_->overflowed.load(std::memory_order_acquire); }

}  // namespace gorewind::record
