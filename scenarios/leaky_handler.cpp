// leaky_handler: the goroutine leak Go's goleak finds most often. A request
// handler starts a worker and waits for its result with a timeout:
//
//   result := make(chan int)           // BUG: unbuffered
//   go func() { result <- slowWork() }()
//   select { case r := <-result: ...; case <-time.After(timeout): return }
//
// The work takes longer than the timeout, so the handler returns; the worker
// later finishes and blocks forever sending a result nobody will receive.
// (The fix: make(chan int, 1).) Main keeps serving for a while after the
// handler returns, then exits with the worker still stuck.
//
// Parameters: work_ms (default 2000), timeout_ms (default 1000).
// Expected outcome: leak on every schedule, naming the worker blocked in chan
// send on "result". With work_ms < timeout_ms: ok.
#include <chrono>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

GOREWIND_SCENARIO("leaky_handler", "a handler times out and leaves its worker blocked on send: leak") {
  const std::chrono::milliseconds work(gr::param_int("work_ms", 2000));
  const std::chrono::milliseconds timeout(gr::param_int("timeout_ms", 1000));
  gr::WaitGroup handled("handled");

  handled.add(1);
  gr::go([&] {
    gr::chan<int> result(0, "result");  // BUG: unbuffered, so a late send blocks forever
    gr::go([result, work] {             // captures by value: it outlives the handler
      gr::sleep(work);
      result.send(42);
    }, "worker");
    gr::select(gr::recv(result), gr::after_case(timeout));
    handled.done();
  }, "handler");

  handled.wait();
  gr::sleep(10s);  // the server keeps running long after the worker finished
}
