// close_twice: two workers each signal "finished" by closing a shared done
// channel, a common Go bug: whichever closes second panics with "close of
// closed channel". Each worker closes before calling wg.Done, so main is
// still waiting when the second close happens.
//
// Expected outcome: panic "close of closed channel" on every schedule; which
// worker panics (first or second) depends on the schedule.
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("close_twice", "two workers both close the done channel: panic") {
  gr::chan<int> done(0, "done");
  gr::WaitGroup wg("workers");
  for (int w = 0; w < 2; ++w) {
    wg.add(1);
    gr::go([&] {
      done.close();  // BUG: only one goroutine may close a channel
      wg.done();
    }, w == 0 ? "worker_a" : "worker_b");
  }
  wg.wait();
  gr::check(false, "unreachable: the second close panics");
}
