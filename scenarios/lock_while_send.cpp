// lock_while_send: a producer sends while holding the lock its consumer
// takes after each receive:
//
//   for i := range n { mu.Lock(); results <- i; mu.Unlock() }   // BUG
//   go func() { for range n { v := <-results; mu.Lock(); total += v; mu.Unlock() } }()
//
// Once the consumer has its value it wants the lock; if the producer takes
// the lock back first and sends again, each waits for the other: the
// producer, holding stats, for a receiver on results, and the consumer,
// the receiver, for stats. The wait-for graph names the consumer as the
// channel's former peer and the producer as the lock's holder, so the cycle
// goes through a channel and a lock. (The fix: send outside the lock.)
//
// Parameters: n (default 3).
// Expected outcome: deadlock on most schedules (fifo included), with the
// cycle main (send on results) -> consumer (sync.Mutex.Lock on stats); ok on
// the others.
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("lock_while_send", "a producer sends while holding the lock its consumer needs: deadlocks") {
  const int n = static_cast<int>(gr::param_int("n", 3));
  gr::Mutex mu("stats");
  gr::chan<int> results(0, "results");
  gr::WaitGroup done("done");
  int total = 0;
  done.add(1);
  gr::go([&] {
    for (int i = 0; i < n; ++i) {
      const int v = results.recv();
      std::lock_guard lock(mu);
      total += v;
    }
    done.done();
  }, "consumer");
  for (int i = 0; i < n; ++i) {
    std::lock_guard lock(mu);
    results.send(i);  // BUG: sends while holding mu
  }
  done.wait();
  gr::watch("total", total);
}
