// timer_race: two timers due at the same instant race, as they do in Go: a
// heartbeat and a deadline both at 1s. The code assumes the heartbeat always
// wins. Expected: check_failed on the schedules where the deadline timer
// fires first (about half under random), ok under fifo (timers fire in the
// order they were set).
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

GOREWIND_SCENARIO("timer_race", "two timers due at the same instant; the code assumes an order") {
  gr::Timer heartbeat(1s);
  gr::Timer deadline(1s);
  gr::chan<int> first(1, "first");
  gr::go([&] { heartbeat.C.recv(); gr::select(gr::send(first, 1), gr::otherwise()); }, "heartbeat");
  gr::go([&] { deadline.C.recv(); gr::select(gr::send(first, 2), gr::otherwise()); }, "deadline");
  gr::check(first.recv() == 1, "the heartbeat beat the deadline");
  gr::sleep(1s);
}
