// moby_33781: GoKer moby#33781 (moby/moby pull 33781, "Prevent a goroutine
// leak when healthcheck gets stopped").
//
// The program models a container's health-check monitor. The monitor loops:
// on a stop signal it returns; every probe interval (50ns) it starts a probe
// goroutine that reports on an unbuffered results channel, then waits for
// the first of stop, the result, or the probe's timeout (50ns):
//
//   go func() { results <- true; close(results) }()
//   select { case <-stop: cancelProbe(); return   // BUG: results not drained
//            case <-results: cancelProbe()
//            case <-ctx.Done(): cancelProbe(); <-results }
//
// A second goroutine sends stop after 50ns; main starts both and returns.
// Both timers are due at 50ns, so the monitor starts a probe as the stopper
// wakes. If the monitor's select takes stop (the stopper's send is ready
// before the probe's, or both are ready and stop wins the choice), the
// monitor returns and the probe blocks forever on its send.
//
// Expected outcome: leak (the probe blocked on a send to results) on most
// schedules; ok when the result wins and the next loop takes stop. The fix
// (the twin, as merged): on stop, cancel the probe and wait for its result
// before returning.
#include <chrono>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

namespace {

void monitor(gr::chan<bool> stop, bool fixed) {
  const gr::Duration probe_interval = 50ns;
  const gr::Duration probe_timeout = 50ns;
  for (;;) {
    if (gr::select(gr::recv(stop), gr::after_case(probe_interval)) == 0) return;
    gr::chan<bool> results(0, "results");
    auto [ctx, cancel_probe] = gr::with_timeout(gr::Context::background(), probe_timeout);
    gr::go([results] {
      results.send(true);
      results.close();
    }, "probe");
    switch (gr::select(gr::recv(stop), gr::recv(results), gr::recv(ctx.done()))) {
      case 0:
        cancel_probe();
        if (fixed) results.recv();  // FIX: wait for the probe to exit
        return;
      case 1:
        cancel_probe();
        break;
      default:
        cancel_probe();
        results.recv();
        break;
    }
  }
}

void health_check(bool fixed) {
  gr::chan<bool> stop(0, "stop");
  gr::go([stop, fixed] { monitor(stop, fixed); }, "monitor");
  gr::go([stop] {
    gr::sleep(50ns);
    stop.send(true);
  }, "stopper");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("moby_33781", "GoKer moby#33781",
                         "a stopped health monitor returns without draining its probe's result: the probe leaks") {
  health_check(false);
}

GOREWIND_CORPUS_SCENARIO("moby_33781_fixed", "GoKer moby#33781",
                         "on stop the health monitor waits for its probe's result: no leak") {
  health_check(true);
}
