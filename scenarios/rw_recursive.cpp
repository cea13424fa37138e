// rw_recursive: Go's documented RWMutex trap, "a blocked Lock call excludes
// new readers from acquiring the lock", so recursive read locking deadlocks.
// A cache lookup holds the read lock and calls a helper that takes the read
// lock again (size(), say); meanwhile an updater asks for the write lock. If
// the updater arrives between the two read locks, it waits for the lookup's
// first read lock to go, and the lookup's second read lock waits behind the
// updater: neither ever moves.
//
// Parameters: work (the lookup's steps between its two read locks, each a
// gr::yield(), default 1).
// Expected outcome: deadlock (the lookup on sync.RWMutex.RLock, the updater on
// sync.RWMutex.Lock, main on the WaitGroup) on the schedules where the updater
// asks for the lock between the two read locks: 66 of random seeds 1-200 with
// the defaults (seed 3 is the first; 99 with work=3); ok on the others.
// Deadlock under fifo too: the lookup's yield lets the updater run there.
#include <mutex>
#include <shared_mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("rw_recursive", "a read lock taken again while a writer waits: deadlock on some schedules") {
  const int work = static_cast<int>(gr::param_int("work", 1));
  gr::RWMutex rw("cache_rw");
  gr::WaitGroup wg("goroutines");
  int entries = 1;

  // size() takes the read lock itself, which is fine on its own.
  auto size = [&] {
    std::shared_lock<gr::RWMutex> lk(rw);  // BUG when called with the read lock held
    return entries;
  };

  wg.add(2);
  gr::go([&] {
    {
      std::shared_lock<gr::RWMutex> lk(rw);
      const int seen = entries;
      for (int i = 0; i < work; ++i) gr::yield();  // looking up
      gr::check(size() == seen, "the cache did not change under the read lock");
    }
    wg.done();
  }, "lookup");

  gr::go([&] {
    {
      std::lock_guard<gr::RWMutex> lk(rw);
      ++entries;
    }
    wg.done();
  }, "updater");

  wg.wait();
}
