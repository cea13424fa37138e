// stack_pool.hpp: goroutine stacks, reused across goroutines and runs.
#pragma once

#include <cstddef>
#include <vector>

namespace gorewind::detail {

// StackPool hands out fixed-size stacks carved from large mappings, so that
// 100,000 goroutines cost a few hundred mappings, not 100,000. The lowest page
// of each stack is a guard page (madvise MADV_GUARD_INSTALL, Linux 6.13+,
// which adds no mapping); on older kernels stacks have no guard.
class StackPool {
 public:
  explicit StackPool(std::size_t stack_size);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // acquire() returns the lowest address of a free stack of size() bytes.
  void* acquire();
  // release() returns a stack from acquire() to the pool.
  void release(void* base) { free_.push_back(base); }
  // size() is each stack's size, guard page included.
  std::size_t size() const { return size_; }
  // guarded() says whether stacks have guard pages.
  bool guarded() const { return guarded_; }

  // for_thread() is this thread's pool for stacks of this size.
  static StackPool& for_thread(std::size_t stack_size);

 private:
  void grow();
  std::size_t size_;
  bool guarded_ = true;
  std::vector<void*> free_;
  struct Slab {
    void* base;
    std::size_t bytes;
  };
  std::vector<Slab> slabs_;
};

}  // namespace gorewind::detail
