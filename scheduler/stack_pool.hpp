// stack_pool.hpp: goroutine stacks, reused across goroutines and runs.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace gorewind::detail {

// StackGuard is how the lowest page of each stack is made to fault.
enum class StackGuard {
  MadviseGuard,  // madvise(MADV_GUARD_INSTALL), Linux 6.13+: no extra mapping
  Mprotect,      // mprotect(PROT_NONE): up to 2 mappings per stack, so capped
  None,          // no guard: an overflow runs into the next stack
};

// stack_guard() is the guard this process puts on new stacks: madvise when
// the kernel has MADV_GUARD_INSTALL, else mprotect; the environment variable
// GOREWIND_STACK_GUARD=mprotect|none forces a weaker one (for testing).
StackGuard stack_guard();
std::string_view to_string(StackGuard g);
// force_stack_guard() changes the guard put on stacks of slabs mapped from
// now on (tests of the fallback); existing slabs keep theirs.
void force_stack_guard(StackGuard g);

// kMprotectGuardBudget caps the stacks guarded with mprotect in the whole
// process: each costs up to two of vm.max_map_count's 65530 mappings. Stacks
// beyond it are unguarded (a note goes to stderr once).
inline constexpr std::size_t kMprotectGuardBudget = 30000;

// StackPool hands out fixed-size stacks carved from large mappings, so that
// 100,000 goroutines cost a few hundred mappings, not 100,000. The lowest page
// of each stack is a guard page (see StackGuard).
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
  // abandon() gives up a stack whose goroutine can never run again (it
  // overflowed or ran away): it never returns to the pool, its memory goes
  // back to the kernel and its guard stays.
  void abandon(void* base);
  // size() is each stack's size, guard page included.
  std::size_t size() const { return size_; }
  // guard_size() is the size of the guard at the bottom of each stack.
  static std::size_t guard_size();

  // for_thread() is this thread's pool for stacks of this size.
  static StackPool& for_thread(std::size_t stack_size);

 private:
  void grow();
  std::size_t size_;
  std::vector<void*> free_;
  struct Slab {
    void* base;
    std::size_t bytes;
    std::size_t mprotected;  // stacks guarded with mprotect: given back to the budget
  };
  std::vector<Slab> slabs_;
};

}  // namespace gorewind::detail
