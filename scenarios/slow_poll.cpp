// slow_poll: a poller that waits for a result with expensive rounds of
// work between its scheduling points, and a worker that forgets to publish
// its result when it starts late. The poller never stops, but it does
// reach scheduling points: a timeout of kind slow, not a spin.
//
// Parameters: cost (iterations of work per round, default 20,000,000).
// Expected outcome: timeout (slow) when the worker starts after the
// poller's first round, ok otherwise. Run it with a short --timeout.
#include <cstdint>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_CRASHING_SCENARIO("slow_poll", "polls with costly rounds for a result that is never set on some schedules") {
  const std::int64_t cost = gr::param_int("cost", 20000000);
  bool done = false;
  bool polled = false;
  gr::go([&] {
    if (!polled) done = true;  // BUG: a late start skips the publication
  }, "worker");
  for (int round = 0; !done; ++round) {
    volatile std::int64_t sum = 0;
    for (std::int64_t i = 0; i < cost; ++i) sum = sum + i;  // an expensive poll
    polled = true;
    gr::trace("round", round);
    gr::yield();
  }
}
