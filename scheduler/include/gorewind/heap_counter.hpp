// heap_counter.hpp: what a run's goroutines allocate, for `record --heap`.
//
// gorewind replaces operator new and delete (every form) and, outside the
// sanitizer builds, whose runtime owns them, malloc, calloc, realloc, free
// and the aligned allocators. Until start(), each is one test of a flag and
// the C library's own call. From start() on, in the thread that called it,
// every allocation made while a goroutine runs is counted for that
// goroutine and its call site (the return address of the allocating call),
// and every later free of a counted block is counted for the same pair,
// wherever it happens, as Go's heap profile counts frees at the allocation's
// site. Observers' and strategies' own allocations (the recorder's, the
// debugger's) are the tool's, not the program's, and are never counted.
//
//   heap::start();                    // the recording child, at its run's begin
//   ... each event: heap::take(deltas); // the counts since the last take
//   heap::stop();
#pragma once

#include <cstdint>
#include <vector>

#include <gorewind/event.hpp>

namespace gorewind::heap {

// kCountsMalloc says whether malloc and its kin are counted in this build
// (not under the sanitizers, whose runtime replaces them itself): operator
// new and delete always are.
#ifdef GOREWIND_SANITIZE
inline constexpr bool kCountsMalloc = false;
#else
inline constexpr bool kCountsMalloc = true;
#endif

// Delta is what one goroutine's allocations at one call site did since the
// last take(): blocks and bytes allocated, and of those (or of earlier
// counted ones) blocks and bytes freed.
struct Delta {
  Gid gid = 0;
  std::uintptr_t site = 0;  // the allocating call's return address
  std::int64_t alloc_objects = 0;
  std::int64_t alloc_bytes = 0;
  std::int64_t free_objects = 0;
  std::int64_t free_bytes = 0;
};

// start() begins counting in the calling thread, forgetting what an earlier
// start() counted. Throws Error when another thread already counts.
void start();
// stop() ends counting; blocks counted before are forgotten.
void stop();
// counting() is true between start() and stop().
bool counting();

// take() appends to out the deltas since the last take() (or start()), one
// per goroutine and site that allocated or freed, in the order each pair
// first did so, and begins new ones. Allocations it makes itself are not
// counted.
void take(std::vector<Delta>& out);

// Pause keeps the calling thread's allocations from being counted while it
// lives: the tool's own work on a goroutine's stack. Frees are still
// matched with the blocks counted before. Inline: the scheduler takes one
// around every event it hands its observers.
class Pause {
 public:
  Pause() noexcept { ++paused_; }
  ~Pause() { --paused_; }
  Pause(const Pause&) = delete;
  Pause& operator=(const Pause&) = delete;

  // held() is true while the calling thread holds a Pause.
  static bool held() { return paused_ != 0; }

 private:
  [[gnu::tls_model("initial-exec")]] static constinit thread_local int paused_;
};

}  // namespace gorewind::heap
