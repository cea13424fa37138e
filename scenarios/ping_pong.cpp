// ping_pong: two goroutines bat a ball back and forth over two unbuffered
// channels, n round trips; each hit increments the ball. Every send meets its
// receive, so the rally is the same on every schedule.
//
// Parameters: n (round trips, default 10).
// Expected outcome: ok on every schedule and strategy (ball == 2n).
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("ping_pong", "n round trips between two goroutines over two unbuffered channels") {
  const int n = static_cast<int>(gr::param_int("n", 10));
  gr::chan<int> to_pong(0, "ping");
  gr::chan<int> to_ping(0, "pong");
  gr::chan<int> done(0, "done");

  gr::go([=] {
    int ball = 0;
    for (int i = 0; i < n; ++i) {
      to_pong.send(ball + 1);
      ball = to_ping.recv();
    }
    done.send(ball);
  }, "pinger");
  gr::go([=] {
    for (int i = 0; i < n; ++i) to_ping.send(to_pong.recv() + 1);
  }, "ponger");

  gr::check(done.recv() == 2 * n, "every hit counted once, in turn");
}
