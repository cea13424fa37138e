// select_timeout: `select { case <-notify: ... case <-time.After(5s): ... }`
// beside a worker that takes work_ms of (virtual) time, then a non-blocking
// poll with `default`. Virtual time moves only when every goroutine is
// blocked, jumping to the next timer, so which case wins is decided by the
// times alone: work_ms < 5000 gets the notification, work_ms >= 5000 the
// timeout (at a tie both timers fire at the same instant, but the timeout's
// value is delivered by the runtime while the worker still has to run to
// send). The poll then says whether the notification has arrived yet (at a
// tie that depends on the schedule); if not, main waits for it, so no
// goroutine is left behind. The checks assert that the branch taken, the
// clock and the poll agree.
//
// Parameters: work_ms (default 3000: the notification wins; try 8000 for the
// timeout, 5000 for a tie).
// Expected outcome: ok on every schedule and strategy, whichever branch.
#include <chrono>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

GOREWIND_SCENARIO("select_timeout", "select over a notify channel and after(5s), then a non-blocking poll") {
  const std::chrono::milliseconds work(gr::param_int("work_ms", 3000));
  const gr::Duration timeout = 5s;
  const gr::Time start = gr::now();
  gr::chan<int> notify(1, "notify");  // buffered: the worker never waits for main

  gr::go([notify, work] {
    gr::sleep(work);
    notify.send(1);
  }, "worker");

  bool notified = false;
  const int fired = gr::select(
      gr::recv(notify, [&](int, bool) { notified = true; }),
      gr::after_case(timeout));
  const gr::Duration waited = gr::now() - start;
  if (fired == 0) {
    gr::check(work <= timeout, "notified only when the work fits in the timeout");
    gr::check(waited == work, "notified exactly when the work finished");
  } else {
    gr::check(work >= timeout, "timed out only when the work takes at least the timeout");
    gr::check(waited == timeout, "timed out exactly at the timeout");
  }

  // Non-blocking poll: a late notification can be there only once the work
  // is done, and never after it was already received.
  const int polled = gr::select(
      gr::recv(notify, [&](int, bool) { notified = true; }),
      gr::otherwise());
  if (polled == 0) gr::check(fired == 1 && gr::now() - start >= work, "a late notification only after the work");
  else gr::check(fired == 0 || gr::now() - start <= work, "the poll misses only a notification not yet sent");

  if (!notified) {
    notify.recv();  // wait for the late notification: nobody is left behind
    gr::check(gr::now() - start == work, "the late notification came when the work finished");
  }
}
