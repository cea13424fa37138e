// worker_pool: Go's worker pool with WaitGroup fan-in (the DESIGN.md example).
// Three workers range over a buffered job queue and send doubled results; a
// closer goroutine waits for the workers and closes the results channel, so
// main's range over results ends. The order of results varies by schedule,
// their sum does not.
//
// Expected outcome: ok on every schedule and strategy (sum == 90).
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("worker_pool", "three workers drain a job queue; WaitGroup fan-in closes the results") {
  gr::chan<int> jobs(8, "jobs");
  gr::chan<int> results(0, "results");
  gr::WaitGroup wg("workers");
  for (int w = 0; w < 3; ++w) {
    wg.add(1);
    gr::go([&] {
      for (int j : jobs) results.send(j * 2);
      wg.done();
    }, "worker");
  }
  gr::go([&] {
    for (int i = 0; i < 10; ++i) jobs.send(i);
    jobs.close();
  }, "producer");
  gr::go([&] {
    wg.wait();
    results.close();
  }, "closer");

  int sum = 0;
  for (int r : results) sum += r;
  gr::check(sum == 90, "sum of doubled jobs");
}
