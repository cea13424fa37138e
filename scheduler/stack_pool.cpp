#include "stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <new>

namespace gorewind::detail {

namespace {
constexpr std::size_t kStacksPerSlab = 64;
#ifndef MADV_GUARD_INSTALL
constexpr int MADV_GUARD_INSTALL = 102;
#endif
std::size_t page_size() {
  static const std::size_t p = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return p;
}
}  // namespace

StackPool::StackPool(std::size_t stack_size) {
  const std::size_t page = page_size();
  size_ = (stack_size + page - 1) / page * page + page;
}

StackPool::~StackPool() {
  for (const Slab& s : slabs_) munmap(s.base, s.bytes);
}

void* StackPool::acquire() {
  if (free_.empty()) grow();
  void* s = free_.back();
  free_.pop_back();
  return s;
}

void StackPool::grow() {
  const std::size_t bytes = size_ * kStacksPerSlab;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  slabs_.push_back({base, bytes});
  auto* p = static_cast<char*>(base);
  // Pushed in reverse so stacks are handed out in address order.
  for (std::size_t i = kStacksPerSlab; i-- > 0;) {
    char* stack = p + i * size_;
    if (guarded_ && madvise(stack, page_size(), MADV_GUARD_INSTALL) != 0) guarded_ = false;
    free_.push_back(stack);
  }
}

StackPool& StackPool::for_thread(std::size_t stack_size) {
  thread_local std::unique_ptr<StackPool> pool;
  const std::size_t page = page_size();
  const std::size_t want = (stack_size + page - 1) / page * page + page;
  if (!pool || pool->size() != want) pool = std::make_unique<StackPool>(stack_size);
  return *pool;
}

}  // namespace gorewind::detail
