// pool_abort: a buffer returned to a pool twice trips the pool's own
// assertion, which aborts the process as a failed assert() does. Two
// goroutines finish with the same buffer: the owner returns it when its
// request ends, and a timeout handler returns it too unless it sees, under
// the pool's lock, that the owner already has. The handler's check and its
// return are two critical sections, so when the owner returns the buffer in
// between, it goes back twice: abort().
//
// Parameters: work (the owner's steps before returning, default 6), and
// panic (1: the pool's complaint is a Go panic instead of an abort, the same
// bug without the death, which a search that outlives deaths must match).
// Expected outcome: crash (SIGABRT) on some random seeds, ok on the others;
// right before the abort it prints the pool's state on stdout and its
// complaint on stderr (what `show --output` keeps of a recorded crash).
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_CRASHING_SCENARIO("pool_abort", "a buffer returned to its pool twice aborts the process on some schedules") {
  const int work = static_cast<int>(gr::param_int("work", 6));
  const bool as_panic = gr::param_int("panic", 0) != 0;
  gr::Mutex mu("pool_mu");
  int free_buffers = 0;
  bool returned = false;
  auto give_back = [&] {
    std::lock_guard<gr::Mutex> guard(mu);
    if (free_buffers != 0) {
      std::printf("pool: a buffer comes back with %d already free\n", free_buffers);
      if (as_panic) gr::panic("pool: buffer returned twice");
      std::fprintf(stderr, "pool: buffer returned twice\n");
      std::abort();
    }
    ++free_buffers;
    returned = true;
  };
  gr::WaitGroup wg("goroutines");
  wg.add(2);
  gr::go([&] {
    for (int i = 0; i < work; ++i) gr::yield();  // serving the request
    give_back();
    wg.done();
  }, "owner");
  gr::go([&] {
    bool already = false;
    {
      std::lock_guard<gr::Mutex> guard(mu);
      already = returned;
    }
    for (int i = 0; i < 3; ++i) gr::yield();  // logging the timeout
    if (!already) give_back();  // BUG: checked in one critical section, acted on in another
    wg.done();
  }, "timeout_handler");
  wg.wait();
}
