// heap_counter.cpp: see heap_counter.hpp. The counts live in memory mapped
// straight from the kernel, never from the allocators being counted, so
// counting an allocation allocates nothing. One thread counts: a plain
// global says whether anyone does, a thread-local whether it is this thread.
#include <gorewind/heap_counter.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <gorewind/error.hpp>

#include "scheduler.hpp"

#ifndef GOREWIND_SANITIZE
extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}
#endif

namespace gorewind::heap {

namespace {

#ifdef GOREWIND_SANITIZE
void* raw_malloc(std::size_t n) { return std::malloc(n); }
void raw_free(void* p) { std::free(p); }
void* raw_memalign(std::size_t align, std::size_t n) { return std::aligned_alloc(align, (n + align - 1) / align * align); }
#else
void* raw_malloc(std::size_t n) { return __libc_malloc(n); }
void raw_free(void* p) { __libc_free(p); }
void* raw_memalign(std::size_t align, std::size_t n) { return __libc_memalign(align, n); }
#endif

// A counted block, by its address (0: a free slot).
struct Block {
  std::uintptr_t ptr;
  std::uintptr_t site;
  std::uint64_t size;
  Gid gid;
};

// A delta with the slot of the index that finds it.
struct Entry {
  Delta delta;
  std::size_t slot;
};

[[noreturn]] void out_of_memory() {
  static const char kMessage[] = "gorewind: no memory left for the heap counts of --heap\n";
  (void)!::write(2, kMessage, sizeof kMessage - 1);
  std::abort();
}

template <class T>
T* map_array(std::size_t n) {
  void* p = ::mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) out_of_memory();
  return static_cast<T*>(p);  // zero-filled
}

template <class T>
void unmap_array(T* p, std::size_t n) {
  if (p) ::munmap(p, n * sizeof(T));
}

std::size_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return static_cast<std::size_t>(x);
}

// The counts: the blocks counted and not freed yet (open addressing,
// linear probing, deletion by moving later entries back), and the deltas
// since the last take() in first-use order, found through slots (each the
// entry's index + 1, 0 when free).
struct Counts {
  Block* blocks = nullptr;
  std::size_t block_cap = 0;
  std::size_t block_count = 0;
  std::uint32_t* slots = nullptr;
  std::size_t slot_cap = 0;
  Entry* entries = nullptr;
  std::size_t entry_cap = 0;
  std::size_t entry_count = 0;

  void release() {
    unmap_array(blocks, block_cap);
    unmap_array(slots, slot_cap);
    unmap_array(entries, entry_cap);
    *this = Counts{};
  }

  std::size_t block_slot(std::uintptr_t ptr) const {
    const std::size_t mask = block_cap - 1;
    std::size_t i = mix(ptr) & mask;
    while (blocks[i].ptr != 0 && blocks[i].ptr != ptr) i = (i + 1) & mask;
    return i;
  }

  void add_block(const Block& b) {
    if ((block_count + 1) * 2 > block_cap) {
      Block* old = blocks;
      const std::size_t old_cap = block_cap;
      block_cap = old_cap ? old_cap * 2 : 4096;
      blocks = map_array<Block>(block_cap);
      for (std::size_t i = 0; i < old_cap; ++i)
        if (old[i].ptr != 0) blocks[block_slot(old[i].ptr)] = old[i];
      unmap_array(old, old_cap);
    }
    Block& slot = blocks[block_slot(b.ptr)];
    if (slot.ptr == 0) ++block_count;
    slot = b;
  }

  // take_block() removes ptr's block into out; false when ptr was not counted.
  bool take_block(std::uintptr_t ptr, Block& out) {
    if (block_count == 0) return false;
    const std::size_t mask = block_cap - 1;
    std::size_t i = block_slot(ptr);
    if (blocks[i].ptr == 0) return false;
    out = blocks[i];
    --block_count;
    // Move back each later entry of the run that the hole would cut off
    // from its home slot.
    for (std::size_t j = (i + 1) & mask; blocks[j].ptr != 0; j = (j + 1) & mask) {
      const std::size_t home = mix(blocks[j].ptr) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        blocks[i] = blocks[j];
        i = j;
      }
    }
    blocks[i] = Block{};
    return true;
  }

  std::size_t delta_slot(Gid gid, std::uintptr_t site) const {
    const std::size_t mask = slot_cap - 1;
    std::size_t i = mix(site * 31 + gid) & mask;
    while (slots[i] != 0) {
      const Delta& d = entries[slots[i] - 1].delta;
      if (d.gid == gid && d.site == site) break;
      i = (i + 1) & mask;
    }
    return i;
  }

  Delta& delta(Gid gid, std::uintptr_t site) {
    if (slot_cap == 0 || (entry_count + 1) * 2 > slot_cap) {
      unmap_array(slots, slot_cap);
      slot_cap = slot_cap ? slot_cap * 2 : 256;
      slots = map_array<std::uint32_t>(slot_cap);
      for (std::size_t e = 0; e < entry_count; ++e) {
        const std::size_t s = delta_slot(entries[e].delta.gid, entries[e].delta.site);
        slots[s] = static_cast<std::uint32_t>(e + 1);
        entries[e].slot = s;
      }
    }
    const std::size_t s = delta_slot(gid, site);
    if (slots[s] != 0) return entries[slots[s] - 1].delta;
    if (entry_count == entry_cap) {
      Entry* old = entries;
      const std::size_t old_cap = entry_cap;
      entry_cap = old_cap ? old_cap * 2 : 128;
      entries = map_array<Entry>(entry_cap);
      if (old_cap) std::memcpy(entries, old, old_cap * sizeof(Entry));
      unmap_array(old, old_cap);
    }
    entries[entry_count] = Entry{Delta{gid, site, 0, 0, 0, 0}, s};
    slots[s] = static_cast<std::uint32_t>(++entry_count);
    return entries[entry_count - 1].delta;
  }
};

constinit Counts g_counts;
constinit bool g_counting = false;
[[gnu::tls_model("initial-exec")]] constinit thread_local bool t_counts = false;

bool counts_here() { return g_counting && t_counts; }

// allocated() counts the block at p for the running goroutine, if any.
void allocated(void* p, std::size_t size, void* site) {
  if (!p || !counts_here() || Pause::held()) return;
  const detail::Scheduler* s = detail::Scheduler::current();
  const detail::Goroutine* g = s ? s->running() : nullptr;
  if (!g) return;
  const auto at = reinterpret_cast<std::uintptr_t>(site);
  Delta& d = g_counts.delta(g->id, at);
  ++d.alloc_objects;
  d.alloc_bytes += static_cast<std::int64_t>(size);
  g_counts.add_block(Block{reinterpret_cast<std::uintptr_t>(p), at, size, g->id});
}

// freed() counts the free of p when p was counted.
void freed(void* p) {
  if (!p || !counts_here()) return;
  Block b;
  if (!g_counts.take_block(reinterpret_cast<std::uintptr_t>(p), b)) return;
  Delta& d = g_counts.delta(b.gid, b.site);
  ++d.free_objects;
  d.free_bytes += static_cast<std::int64_t>(b.size);
}

// new_block() is operator new's loop: the new-handler's turn until memory
// comes or there is none (std::bad_alloc).
void* new_block(std::size_t n, std::size_t align) {
  if (n == 0) n = 1;
  for (;;) {
    void* p = align ? raw_memalign(align, n) : raw_malloc(n);
    if (p) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

void* new_counted(std::size_t n, std::size_t align, void* site) {
  void* p = new_block(n, align);
  if (g_counting) [[unlikely]]
    allocated(p, n, site);
  return p;
}

void* new_nothrow(std::size_t n, std::size_t align, void* site) noexcept {
  try {
    return new_counted(n, align, site);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void delete_counted(void* p) noexcept {
  if (g_counting) [[unlikely]]
    freed(p);
  raw_free(p);
}

}  // namespace

void start() {
  if (g_counting && !t_counts) throw Error("heap::start: another thread counts allocations already");
  g_counting = false;
  g_counts.release();
  t_counts = true;
  g_counting = true;
}

void stop() {
  g_counting = false;
  t_counts = false;
  g_counts.release();
}

bool counting() { return g_counting; }

void take(std::vector<Delta>& out) {
  if (!counts_here()) return;
  {
    Pause pause;
    out.reserve(out.size() + g_counts.entry_count);
  }
  for (std::size_t e = 0; e < g_counts.entry_count; ++e) {
    out.push_back(g_counts.entries[e].delta);
    g_counts.slots[g_counts.entries[e].slot] = 0;
  }
  g_counts.entry_count = 0;
}

constinit thread_local int Pause::paused_ = 0;

}  // namespace gorewind::heap

// The replaceable allocation functions of [new.delete]. Each passes its own
// return address: the line that said `new`, or the library code that did.
namespace hc = gorewind::heap;

void* operator new(std::size_t n) { return hc::new_counted(n, 0, __builtin_return_address(0)); }
void* operator new[](std::size_t n) { return hc::new_counted(n, 0, __builtin_return_address(0)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return hc::new_nothrow(n, 0, __builtin_return_address(0));
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return hc::new_nothrow(n, 0, __builtin_return_address(0));
}
void* operator new(std::size_t n, std::align_val_t a) {
  return hc::new_counted(n, static_cast<std::size_t>(a), __builtin_return_address(0));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return hc::new_counted(n, static_cast<std::size_t>(a), __builtin_return_address(0));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return hc::new_nothrow(n, static_cast<std::size_t>(a), __builtin_return_address(0));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return hc::new_nothrow(n, static_cast<std::size_t>(a), __builtin_return_address(0));
}
void operator delete(void* p) noexcept { hc::delete_counted(p); }
void operator delete[](void* p) noexcept { hc::delete_counted(p); }
void operator delete(void* p, std::size_t) noexcept { hc::delete_counted(p); }
void operator delete[](void* p, std::size_t) noexcept { hc::delete_counted(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { hc::delete_counted(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { hc::delete_counted(p); }
void operator delete(void* p, std::align_val_t) noexcept { hc::delete_counted(p); }
void operator delete[](void* p, std::align_val_t) noexcept { hc::delete_counted(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { hc::delete_counted(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { hc::delete_counted(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { hc::delete_counted(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { hc::delete_counted(p); }

#ifndef GOREWIND_SANITIZE
// The C allocator, in front of the C library's own: the same counts, each
// call's return address its site.
namespace gorewind::heap {
namespace {

void* noted(void* p, std::size_t n, void* site) {
  if (g_counting) [[unlikely]]
    allocated(p, n, site);
  return p;
}

// renewed() counts a realloc: a failed one leaves the old block as it was.
void* renewed(void* old, void* p, std::size_t n, void* site) {
  if (g_counting) [[unlikely]] {
    if (p || n == 0) freed(old);
    allocated(p, n, site);
  }
  return p;
}

}  // namespace
}  // namespace gorewind::heap

extern "C" {

void* malloc(std::size_t n) { return hc::noted(__libc_malloc(n), n, __builtin_return_address(0)); }

void free(void* p) {
  if (hc::g_counting) [[unlikely]]
    hc::freed(p);
  __libc_free(p);
}

void* calloc(std::size_t count, std::size_t size) {
  return hc::noted(__libc_calloc(count, size), count * size, __builtin_return_address(0));
}

void* realloc(void* old, std::size_t n) {
  return hc::renewed(old, __libc_realloc(old, n), n, __builtin_return_address(0));
}

void* reallocarray(void* old, std::size_t count, std::size_t size) {
  std::size_t n = 0;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return nullptr;
  }
  return hc::renewed(old, __libc_realloc(old, n), n, __builtin_return_address(0));
}

void* memalign(std::size_t align, std::size_t n) {
  return hc::noted(__libc_memalign(align, n), n, __builtin_return_address(0));
}

void* aligned_alloc(std::size_t align, std::size_t n) {
  return hc::noted(__libc_memalign(align, n), n, __builtin_return_address(0));
}

int posix_memalign(void** out, std::size_t align, std::size_t n) {
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(align, n);
  if (!p) return ENOMEM;
  *out = hc::noted(p, n, __builtin_return_address(0));
  return 0;
}

}  // extern "C"
#endif
