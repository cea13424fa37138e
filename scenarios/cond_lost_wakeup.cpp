// cond_lost_wakeup: two classic sync.Cond mistakes in one job queue.
// Workers wait on a Cond for jobs, but
//  - check the condition with `if` instead of `for`/`while`: after a wake-up
//    the other worker may have taken the job first (wait re-locks the mutex
//    like any Lock, and whoever gets it first goes first), so the woken worker
//    finds the queue empty and concludes the producer is finished;
//  - the producer announces it is finished without holding the mutex, so a
//    worker that has just seen `closed == false` can start waiting after the
//    broadcast went out: that wake-up is lost, and it waits forever.
// The fix: `while (queue.empty() && !closed) cond.wait();` and set `closed`
// (and broadcast) with the mutex held.
//
// Parameters: jobs (default 4), workers (default 2).
// Expected outcome: check_failed ("a worker gives up only once the producer
// has finished": the `if`) on about 30% of random seeds (60 of 1-200, 317 of
// 1-1000); deadlock (a worker parked in sync.Cond.Wait for good, main on the
// WaitGroup: the lost broadcast, a one-step window) on a few (seeds 305 and
// 571 of 1-1000); ok on the others. check_failed under fifo: a worker coming
// back for more takes the job that was signalled to the other one.
#include <deque>
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("cond_lost_wakeup", "workers wait on a Cond with `if`, and the close is unlocked: lost wake-ups") {
  const int jobs = static_cast<int>(gr::param_int("jobs", 4));
  const int workers = static_cast<int>(gr::param_int("workers", 2));
  gr::Mutex mu("queue_mu");
  gr::Cond cond(mu, "queue_cond");
  std::deque<int> queue;
  bool closed = false;
  int done = 0;
  gr::WaitGroup wg("workers");

  for (int w = 0; w < workers; ++w) {
    wg.add(1);
    gr::go([&] {
      for (;;) {
        std::unique_lock<gr::Mutex> lk(mu);
        if (queue.empty() && !closed) cond.wait();  // BUG: `if`, not `while`
        if (queue.empty()) {
          gr::check(closed, "a worker gives up only once the producer has finished");
          break;
        }
        queue.pop_front();
        lk.unlock();
        gr::yield();  // the job
        std::lock_guard<gr::Mutex> count(mu);
        ++done;
      }
      wg.done();
    }, "worker");
  }

  gr::go([&] {
    for (int j = 0; j < jobs; ++j) {
      gr::yield();  // making the job
      {
        std::lock_guard<gr::Mutex> lk(mu);
        queue.push_back(j);
      }
      cond.signal();
    }
    closed = true;  // BUG: written without the mutex ...
    cond.broadcast();  // ... so a worker between its check and its wait misses this
  }, "producer");

  wg.wait();
  std::lock_guard<gr::Mutex> lk(mu);
  gr::check(done == jobs, "every job was done");
}
