// spin_wait: a goroutine waits for a flag by spinning on it with no
// scheduling point. On one OS thread (GOMAXPROCS=1, or gorewind) nothing
// else runs while it spins, so when it starts before the goroutine that
// sets the flag, it spins forever: a timeout of kind spin.
//
// Expected outcome: timeout (spin) when the waiter runs first (about half
// of random seeds), ok otherwise. Run it with a short --timeout.
#include <atomic>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_CRASHING_SCENARIO("spin_wait", "busy-waits on a flag without a scheduling point: spins forever on some schedules") {
  std::atomic<bool> ready{false};
  gr::WaitGroup wg("goroutines");
  wg.add(2);
  gr::go([&] {
    while (!ready.load(std::memory_order_relaxed)) {
    }  // BUG: no scheduling point, so the setter never runs
    wg.done();
  }, "waiter");
  gr::go([&] {
    ready.store(true, std::memory_order_relaxed);
    wg.done();
  }, "setter");
  wg.wait();
}
