// dining_philosophers: n philosophers around a table, one fork (a Mutex)
// between each pair; each takes the left fork, then the right, eats, and
// puts both down. If every philosopher holds a left fork at once, each waits
// for a right fork its neighbour will never release: the classic lock-order
// deadlock (the fix: one philosopher takes the forks in the other order).
//
// Parameters: n (philosophers, default 5), meals (each, default 2).
// Expected outcome: deadlock on some random schedules (about 40% with the
// defaults, 1% with meals=1; every philosopher waiting on a fork Mutex and
// main on the WaitGroup), ok on the others; ok under fifo, where each
// philosopher eats all its meals before the next one starts.
#include <memory>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("dining_philosophers", "n philosophers take the left fork, then the right: deadlocks on some schedules") {
  const int n = static_cast<int>(gr::param_int("n", 5));
  const int meals = static_cast<int>(gr::param_int("meals", 2));
  std::vector<std::unique_ptr<gr::Mutex>> forks;
  for (int i = 0; i < n; ++i) forks.push_back(std::make_unique<gr::Mutex>("fork" + std::to_string(i)));
  gr::WaitGroup wg("philosophers");
  int eaten = 0;

  for (int p = 0; p < n; ++p) {
    wg.add(1);
    gr::go([&, p] {
      gr::Mutex& left = *forks[p];
      gr::Mutex& right = *forks[(p + 1) % n];
      for (int m = 0; m < meals; ++m) {
        left.lock();
        right.lock();  // BUG: every philosopher may be holding its left fork
        ++eaten;
        right.unlock();
        left.unlock();
      }
      wg.done();
    }, "philosopher" + std::to_string(p));
  }
  wg.wait();
  gr::check(eaten == n * meals, "every meal eaten");
}
