// mutex_counter: the textbook fix for racy_counter's lost updates. Several
// goroutines increment a gr::shared counter, each read-modify-write under a
// sync.Mutex (held through std::lock_guard); a gr::yield() inside the
// critical section invites the scheduler to switch at the worst moment, but
// the lock keeps the others out, so no increment is lost, and each unlock
// happens before the next lock, so the race detector finds no race.
//
// Parameters: workers (default 4), increments per worker (default 3).
// Expected outcome: ok on every schedule and strategy.
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("mutex_counter", "goroutines increment a counter under a Mutex; no update is lost") {
  const int workers = static_cast<int>(gr::param_int("workers", 4));
  const int increments = static_cast<int>(gr::param_int("increments", 3));
  gr::Mutex mu("counter_mu");
  gr::WaitGroup wg("workers");
  gr::shared<int> counter(0, "counter");

  for (int w = 0; w < workers; ++w) {
    wg.add(1);
    gr::go([&] {
      for (int i = 0; i < increments; ++i) {
        std::lock_guard<gr::Mutex> guard(mu);
        const int seen = counter.load();
        gr::yield();  // a switch here would lose an update without the lock
        counter.store(seen + 1);
      }
      wg.done();
    }, "incrementer");
  }
  wg.wait();
  gr::check(counter.load() == workers * increments, "every increment counted");
}
