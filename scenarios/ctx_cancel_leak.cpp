// ctx_cancel_leak: a consumer stops when its context is cancelled, but the
// producer only selects on its output channel, not on ctx.done(): once the
// small buffer is full it blocks forever. Expected: leak (the producer
// blocked on a chan send) on every schedule; with param fixed=1 the producer
// also watches ctx.done() and the run is ok.
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

GOREWIND_SCENARIO("ctx_cancel_leak", "a producer blocked on a full buffer after its consumer was cancelled") {
  const bool fixed = gr::param_int("fixed", 0) != 0;
  auto [ctx, cancel] = gr::with_timeout(gr::Context::background(), 3s);
  gr::chan<int> items(2, "items");
  gr::chan<bool> consumer_done(0, "consumer_done");
  gr::go([&, ctx = ctx] {
    for (int i = 0;; ++i) {
      if (fixed) {
        if (gr::select(gr::send(items, i), gr::recv(ctx.done())) == 1) return;
      } else {
        items.send(i);
      }
    }
  }, "producer");
  gr::go([&, ctx = ctx] {
    for (;;) {
      if (gr::select(gr::recv(ctx.done()), gr::otherwise()) == 0) break;  // cancelled: stop at once
      bool stop = false;
      gr::select(gr::recv(items, [](int item) { gr::watch("item", item); gr::sleep(1s); }),
                 gr::recv(ctx.done(), [&] { stop = true; }));
      if (stop) break;
    }
    consumer_done.close();
  }, "consumer");
  consumer_done.recv();
  cancel();
}
