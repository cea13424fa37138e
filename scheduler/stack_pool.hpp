// stack_pool.hpp: goroutine stacks, reused across goroutines and runs.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Stack colouring. Every stack's top is page-aligned, so without care the top
// frames of thousands of goroutines, which every switch touches, would all
// fall into the same few cache sets and evict each other (the prime sieve
// with 2000 goroutines). Two things spread them:
// - stacks are an odd number of pages apart, so that their tops cycle through
//   the pages of a cache's set span (a power of two) instead of sharing one;
// - stack_color() starts each goroutine's stack a little below its top, by
//   gid (never by address: nothing may depend on addresses), in steps of 3
//   cache lines; 15 colours, not 16, so as not to repeat in step with the 16
//   page positions above. Each stack has a page on top of the size asked for
//   to make room, and the largest offset leaves over a kilobyte of frames in
//   the top page, so a parked goroutine's resident stack does not grow.
inline constexpr std::size_t kStackColors = 15;
inline constexpr std::size_t kStackColorStep = 3 * 64;
inline std::size_t stack_color(std::uint32_t gid) { return gid % kStackColors * kStackColorStep; }

// StackPool hands out fixed-size stacks carved from large mappings, so that
// 100,000 goroutines cost a few hundred mappings, not 100,000. The lowest page
// of each stack is a guard page (see StackGuard); above the size asked for
// lies the colour slack.
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
  // size() is each stack's size, guard page and colour slack included.
  std::size_t size() const { return size_; }
  // usable() is the size asked for, rounded up to pages: the depth a
  // goroutine gets before it overflows.
  std::size_t usable() const { return usable_; }
  // size_for() is size() for a pool of stacks of stack_size usable bytes.
  static std::size_t size_for(std::size_t stack_size);
  // guard_size() is the size of the guard at the bottom of each stack.
  static std::size_t guard_size();

  // populates() says whether the pool maps in the top page of each stack of
  // a thread's second and later slabs when it carves them (stack_pool.cpp):
  // true until the kernel refuses (before Linux 6.14).
  static bool populates();

  // for_thread() is this thread's pool for stacks of this size.
  static StackPool& for_thread(std::size_t stack_size);

 private:
  void grow();
  std::size_t size_;
  std::size_t usable_;
  std::vector<void*> free_;
  struct Slab {
    void* base;
    std::size_t bytes;
    std::size_t mprotected;  // stacks guarded with mprotect: given back to the budget
  };
  std::vector<Slab> slabs_;
};

}  // namespace gorewind::detail
