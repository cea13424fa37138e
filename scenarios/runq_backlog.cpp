// runq_backlog: a run-queue backlog on one P while the others are busy
// (run it with --procs 4; docs/runq-backlog.md walks through it). A
// dispatcher reads a request (`interval` of CPU) and starts a handler for
// each, which burns `service` of CPU; batch jobs keep the other Ps busy:
//
//   for i := 0; i < batches; i++ { go func() { for t := 0; t < batch_ms; t++ { work(1ms) } }() }
//   go func() {
//       for i := 0; i < requests; i++ {
//           work(interval)                 // reading the next request
//           start := time.Now()
//           go func() {                    // newproc: into this P's runnext, the one
//               check(time.Since(start) < limit)   // before it to the local queue
//               work(service)
//           }()
//       }
//   }()
//
// The dispatcher holds its P until sysmon preempts it after 10ms, so its
// handlers pile up in that P's local queue, and each waits for all those
// before it: 3ms each. The other Ps never go idle, so none steals; their
// batch jobs, preempted every 10ms into the global queue, are taken back
// at once. The dispatcher, preempted too, goes on where a P takes it from
// the global queue, and starts the next pile there.
//
// Parameters: requests (default 40), interval_us (1000), service_us (3000),
// batches (3), batch_ms (100), limit_ms (20). Expected outcome with --procs 4:
// check_failed on every seed ("handler 4 waited 20ms for its P", or 21ms);
// ok with a service below the interval (service_us=900). A spare P
// (batches=2) steals and delays the failure to a later handler. Without
// --procs gr::work moves the one clock for everyone, and the first handler
// already waits for the batch jobs.
#include <chrono>
#include <cstdint>
#include <string>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("runq_backlog", "handlers pile up in one P's run queue while the other Ps are busy (--procs 4)") {
  const std::int64_t requests = gr::param_int("requests", 40);
  const auto interval = std::chrono::microseconds(gr::param_int("interval_us", 1000));
  const auto service = std::chrono::microseconds(gr::param_int("service_us", 3000));
  const std::int64_t batches = gr::param_int("batches", 3);
  const std::int64_t batch_ms = gr::param_int("batch_ms", 100);
  const auto limit = std::chrono::milliseconds(gr::param_int("limit_ms", 20));
  gr::WaitGroup wg("all");

  for (std::int64_t b = 0; b < batches; ++b) {
    wg.add(1);
    gr::go([&] {
      for (std::int64_t t = 0; t < batch_ms; ++t) gr::work(std::chrono::milliseconds(1));
      wg.done();
    }, "batch");
  }
  std::int64_t worst_us = 0;
  wg.add(1);
  gr::go([&] {
    for (std::int64_t i = 0; i < requests; ++i) {
      gr::work(interval);  // reading the next request
      const gr::Time start = gr::now();
      wg.add(1);
      gr::go([&, i, start] {
        const std::int64_t waited_us =
            std::chrono::duration_cast<std::chrono::microseconds>(gr::now() - start).count();
        if (waited_us > worst_us) gr::watch("worst_wait_us", worst_us = waited_us);
        gr::check(waited_us < std::chrono::microseconds(limit).count(),
                  "handler " + std::to_string(i) + " waited " + std::to_string(waited_us / 1000) + "ms for its P");
        gr::work(service);
        wg.done();
      }, "handler");
    }
    wg.done();
  }, "dispatcher");
  wg.wait();
}
