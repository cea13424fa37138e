// heap_bench: what `record --heap`'s allocation hooks cost per allocation:
// operator new and delete of 64 bytes, a million pairs, three ways in one
// run: the C library's own (the floor), through gorewind's replacements
// with nothing counted (every program linked with gorewind, --heap or
// not), and counted for a running goroutine (--heap). bench/heap_run.sh
// runs it beside the whole-process figures.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/heap_counter.hpp>

#ifndef GOREWIND_SANITIZE
extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
}
#endif

namespace gr = gorewind;

namespace {

constexpr int kPairs = 1'000'000;

// keep stops the compiler from dropping an allocation it can see unused.
void keep(void* p) { asm volatile("" : : "r"(p) : "memory"); }

template <class F>
double ns_per_pair(F&& pairs) {
  const auto t0 = std::chrono::steady_clock::now();
  pairs();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / kPairs;
}

void new_delete() {
  for (int i = 0; i < kPairs; ++i) {
    void* p = ::operator new(64);
    keep(p);
    ::operator delete(p);
  }
}

}  // namespace

int main() {
  for (int round = 0; round < 3; ++round) {
#ifndef GOREWIND_SANITIZE
    const double libc = ns_per_pair([] {
      for (int i = 0; i < kPairs; ++i) {
        void* p = __libc_malloc(64);
        keep(p);
        __libc_free(p);
      }
    });
    std::printf("libc_malloc_free %.1f ns/pair\n", libc);
#endif
    std::printf("new_delete_not_counting %.1f ns/pair\n", ns_per_pair(new_delete));
    double counted = 0;
    gr::RunOptions options;
    gr::run(
        [&] {
          gr::heap::start();
          counted = ns_per_pair(new_delete);
          gr::heap::stop();
        },
        options);
    std::printf("new_delete_counting %.1f ns/pair\n", counted);
  }
}
