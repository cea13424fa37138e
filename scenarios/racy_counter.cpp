// racy_counter: the Go bug `n++` from several goroutines without a lock.
// Each increment is a load and a store of a gr::shared<int>, two scheduling
// points apart, so another goroutine's update can land in between and be
// lost. Expected: race on every schedule (no happens-before edge orders one
// worker's accesses with another's, whatever the order they ran in); with
// --races off, check_failed ("lost updates") on some random seeds and ok
// under fifo (no goroutine is preempted between its load and its store).
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("racy_counter", "n++ on a shared counter from several goroutines, no lock: lost updates") {
  const int workers = static_cast<int>(gr::param_int("workers", 3));
  const int increments = static_cast<int>(gr::param_int("increments", 2));
  gr::shared<int> n(0, "n");
  gr::WaitGroup wg("workers");
  for (int w = 0; w < workers; ++w) {
    wg.add(1);
    gr::go([&] {
      for (int i = 0; i < increments; ++i) n.store(n.load() + 1);  // n++
      wg.done();
    }, "worker");
  }
  wg.wait();
  gr::check(n.load() == workers * increments, "lost updates: the counter is short");
}
