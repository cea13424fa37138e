#include "stack_pool.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include <gorewind/run.hpp>

namespace gorewind::detail {

namespace {
constexpr std::size_t kStacksPerSlab = 64;
#ifndef MADV_GUARD_INSTALL
constexpr int MADV_GUARD_INSTALL = 102;
#endif
// PIDFD_SELF (Linux 6.14+): this process, whatever its pid (so also in a
// forked child), for process_madvise().
constexpr int kPidfdSelf = -10000;
std::size_t page_size() {
  static const std::size_t p = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return p;
}
std::size_t round_to_pages(std::size_t bytes) { return (bytes + page_size() - 1) / page_size() * page_size(); }

// probe_guard() finds out what this kernel offers, once per process.
StackGuard probe_guard() {
  const char* env = std::getenv("GOREWIND_STACK_GUARD");
  StackGuard forced = StackGuard::MadviseGuard;
  if (env != nullptr && std::strcmp(env, "mprotect") == 0) forced = StackGuard::Mprotect;
  if (env != nullptr && std::strcmp(env, "none") == 0) forced = StackGuard::None;
  if (forced != StackGuard::MadviseGuard) return forced;
  const std::size_t page = page_size();
  void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return StackGuard::Mprotect;
  const bool ok = madvise(p, page, MADV_GUARD_INSTALL) == 0;
  munmap(p, 2 * page);
  return ok ? StackGuard::MadviseGuard : StackGuard::Mprotect;
}

std::atomic<int> g_forced{-1};
std::atomic<bool> g_batch_refused{false};  // process_madvise cannot guard here: one madvise a stack

// advise_each() gives one page in each of the n stacks size apart the same
// advice with one system call, where the kernel (6.14+) lets a process give
// itself any advice through process_madvise: the page at first, first +
// size, and so on. Returns the bytes advised, or -1 when the kernel refuses.
long advise_each(char* first, std::size_t n, std::size_t size, int advice) {
#if defined(SYS_process_madvise)
  iovec iov[kStacksPerSlab];
  for (std::size_t i = 0; i < n; ++i) iov[i] = iovec{first + i * size, page_size()};
  return syscall(SYS_process_madvise, kPidfdSelf, iov, n, advice, 0);
#else
  (void)first;
  (void)n;
  (void)size;
  (void)advice;
  return -1;
#endif
}

// guard_batch() installs a guard page at the bottom of each of the n stacks
// size apart from p with one system call; false when the kernel cannot, for
// the caller to guard them one by one.
bool guard_batch(char* p, std::size_t n, std::size_t size) {
  if (g_batch_refused.load(std::memory_order_relaxed)) return false;
  const long done = advise_each(p, n, size, MADV_GUARD_INSTALL);
  if (done == static_cast<long>(n * page_size())) return true;
  // Refused (an older kernel): every slab would be. A partial success leaves
  // the rest to the one-by-one path, which guards a page twice harmlessly.
  if (done < 0) g_batch_refused.store(true, std::memory_order_relaxed);
  return false;
}

#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;
#endif
std::atomic<bool> g_populate_refused{false};

// populate_tops() maps in the top page of each of the n stacks size apart
// from p, which every goroutine writes first (its context and first frames),
// with one system call where the kernel allows. Left to fault, each costs a
// trap of its own: on this project's virtual machines 11-16 us a page,
// against 0.8-9 us a page populated 64 at a time (the more when the host
// has to back the page too). A million parked goroutines had spent most of
// their start-up in the page-fault handler.
//
// StackPool::grow() does it from a thread's second slab on, once a program
// has shown it spawns many goroutines, so one with a few keeps no more pages
// resident than it uses; the pages below the tops still fault in only as
// deep as goroutines go.
void populate_tops(char* p, std::size_t n, std::size_t size) {
  if (g_populate_refused.load(std::memory_order_relaxed)) return;
  // Refused (a kernel before 6.14, or one without MADV_POPULATE_WRITE): the
  // pages fault in when first used, as they would anyway.
  if (advise_each(p + size - page_size(), n, size, MADV_POPULATE_WRITE) < 0)
    g_populate_refused.store(true, std::memory_order_relaxed);
}

std::atomic<std::size_t> g_mprotected{0};  // stacks guarded with mprotect in the process
std::atomic<bool> g_noted{false};

// take_budget() reserves one mprotect guard; false once the budget is spent.
bool take_budget() {
  std::size_t n = g_mprotected.load(std::memory_order_relaxed);
  while (n < kMprotectGuardBudget)
    if (g_mprotected.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  if (!g_noted.exchange(true))
    std::fprintf(stderr,
                 "gorewind: note: more than %zu goroutine stacks guarded with mprotect (this kernel lacks "
                 "MADV_GUARD_INSTALL); further stacks have no guard page, so an overflow there is not caught\n",
                 kMprotectGuardBudget);
  return false;
}
}  // namespace

StackGuard stack_guard() {
  static const StackGuard probed = probe_guard();
  const int forced = g_forced.load(std::memory_order_relaxed);
  return forced >= 0 ? static_cast<StackGuard>(forced) : probed;
}

void force_stack_guard(StackGuard g) { g_forced.store(static_cast<int>(g), std::memory_order_relaxed); }

std::string_view to_string(StackGuard g) {
  switch (g) {
    case StackGuard::MadviseGuard: return "madvise-guard";
    case StackGuard::Mprotect: return "mprotect";
    case StackGuard::None: return "none";
  }
  return "none";
}

std::size_t StackPool::guard_size() { return page_size(); }

bool StackPool::populates() { return !g_populate_refused.load(std::memory_order_relaxed); }

std::size_t StackPool::size_for(std::size_t stack_size) {
  static_assert(kStackColors * kStackColorStep <= 4096, "the colour slack is one page");
  // The usable pages, the guard page, the colour slack, and one more page
  // when that makes the stride an odd number of pages.
  std::size_t pages = round_to_pages(stack_size) / page_size() + 2;
  if (pages % 2 == 0) ++pages;
  return pages * page_size();
}

StackPool::StackPool(std::size_t stack_size) : size_(size_for(stack_size)), usable_(round_to_pages(stack_size)) {}

StackPool::~StackPool() {
  for (const Slab& s : slabs_) {
    munmap(s.base, s.bytes);
    g_mprotected.fetch_sub(s.mprotected, std::memory_order_relaxed);
  }
}

void* StackPool::acquire() {
  if (free_.empty()) grow();
  void* s = free_.back();
  free_.pop_back();
  return s;
}

void StackPool::abandon(void* base) {
  const std::size_t page = page_size();
  madvise(static_cast<char*>(base) + page, size_ - page, MADV_DONTNEED);
}

void StackPool::grow() {
  const std::size_t bytes = size_ * kStacksPerSlab;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  slabs_.push_back({base, bytes, 0});
  Slab& slab = slabs_.back();
  auto* p = static_cast<char*>(base);
  StackGuard guard = stack_guard();
  // A million goroutines take a million guards: one system call a slab,
  // where the kernel allows, rather than one a stack.
  const bool batched = guard == StackGuard::MadviseGuard && guard_batch(p, kStacksPerSlab, size_);
  // Pushed in reverse so stacks are handed out in address order.
  for (std::size_t i = kStacksPerSlab; i-- > 0;) {
    char* stack = p + i * size_;
    if (guard == StackGuard::MadviseGuard && !batched && madvise(stack, page_size(), MADV_GUARD_INSTALL) != 0) {
      // Refused after the probe succeeded (a seccomp filter, say): fall back.
      force_stack_guard(StackGuard::Mprotect);
      guard = StackGuard::Mprotect;
    }
    if (guard == StackGuard::Mprotect && take_budget()) {
      if (mprotect(stack, page_size(), PROT_NONE) == 0) {
        ++slab.mprotected;
      } else {
        g_mprotected.fetch_sub(1, std::memory_order_relaxed);
      }
    }
    free_.push_back(stack);
  }
  if (slabs_.size() > 1) populate_tops(p, kStacksPerSlab, size_);
}

StackPool& StackPool::for_thread(std::size_t stack_size) {
  thread_local std::unique_ptr<StackPool> pool;
  if (!pool || pool->size() != size_for(stack_size)) pool = std::make_unique<StackPool>(stack_size);
  return *pool;
}

}  // namespace gorewind::detail

namespace gorewind {

std::string_view stack_guard_mode() { return detail::to_string(detail::stack_guard()); }

}  // namespace gorewind
