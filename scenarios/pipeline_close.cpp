// pipeline_close: a producer sends n values and closes the channel; the
// consumer reads `v, ok := <-c` until ok is false, as Go code does instead of
// range. Closing is the producer's "no more values" signal, and the values
// before the close are never lost or reordered.
//
// Parameters: n (values, default 5), cap (buffer, default 0).
// Expected outcome: ok on every schedule and strategy.
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("pipeline_close", "a producer sends n values and closes; the receiver reads v, ok until closed") {
  const int n = static_cast<int>(gr::param_int("n", 5));
  gr::chan<int> values(static_cast<std::size_t>(gr::param_int("cap", 0)), "values");

  gr::go([values, n] {
    for (int i = 1; i <= n; ++i) values.send(i * 10);
    values.close();
  }, "producer");

  int expected = 1;
  for (;;) {
    auto [v, ok] = values.recv_ok();
    if (!ok) {
      gr::check(v == 0, "a receive on a closed channel yields the zero value");
      break;
    }
    gr::check(v == expected * 10, "values arrive in the order they were sent");
    ++expected;
  }
  gr::check(expected == n + 1, "every value arrived before the close");
}
