// serving_2137: Knative Serving's breaker test deadlocks when its requests
// reach the breaker out of order (knative/serving#1984, fixed by PR #2137;
// GoKer blocking kernel serving#2137).
//
// The Breaker admits a request into a pending queue (capacity
// queueDepth+maxConcurrency = 2) and then into an active queue (capacity
// maxConcurrency = 1), runs it, and frees both slots. The test makes two
// requests, each a goroutine whose work locks a mutex the test holds, then
// unlocks them in order, waiting after each unlock for that request's result:
//
//   concurrentRequest: runtime.Gosched(); r.lock.Lock(); go func() { start.Done(); r.accepted <- b.Maybe(func() { r.lock.Lock(); r.lock.Unlock() }) }(); start.Wait()
//   test:              locks := b.concurrentRequests(2); for each: lock.Unlock(); ok := <-accepted; accepted <- ok
//
// start.Wait only proves the goroutine started, not that it reached the
// breaker. If the second request takes the one active slot first, it waits
// for its lock, which the test releases only after the first request has
// finished; the first waits for the active slot. The outcome: a deadlock,
// main in chan receive on accepted, the second request in sync.Mutex.Lock,
// the first in chan send on activeRequests.
//
// The fix (the twin, in the test only): concurrentRequest, instead of
// yielding, waits until its request shows in the queue it should have joined
// (active, else pending: polls len() every 1ms for at most 100ms), so the
// requests reach the breaker in the order the test unlocks them.
#include <chrono>
#include <memory>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

namespace {

struct Breaker {
  gr::chan<int> pending_requests;
  gr::chan<int> active_requests;
  Breaker(int queue_depth, int max_concurrency)
      : pending_requests(queue_depth + max_concurrency, "pendingRequests"),
        active_requests(max_concurrency, "activeRequests") {}

  // maybe() runs thunk once it has an active slot; false when even the
  // pending queue is full.
  template <class F>
  bool maybe(F thunk) {
    if (gr::select(gr::otherwise(), gr::send(pending_requests, 0)) == 0) return false;
    active_requests.send(0);
    thunk();
    active_requests.recv();  // deferred: release both slots
    pending_requests.recv();
    return true;
  }
};

struct Request {
  std::shared_ptr<gr::Mutex> lock;
  gr::chan<bool> accepted;
};

// wait_result() takes the request's result and puts it back for later use.
void wait_result(const Request& r) {
  const bool ok = r.accepted.recv();
  r.accepted.send(ok);
}

// wait_for_queue() polls (wait.PollImmediate: 1ms interval, 100ms timeout)
// until the queue holds size tokens.
void wait_for_queue(const gr::chan<int>& queue, std::size_t size) {
  const gr::Time start = gr::now();
  for (;;) {
    if (queue.len() == size) return;
    if (gr::now() - start >= 100ms) gr::panic("timed out waiting for queue");
    gr::sleep(1ms);
  }
}

Request concurrent_request(Breaker& b, bool fixed) {
  if (!fixed) gr::yield();  // runtime.Gosched(): makes the race rarer, not impossible
  Request r{std::make_shared<gr::Mutex>("request.lock"), gr::chan<bool>(1, "accepted")};
  r.lock->lock();
  // The fix: know where the request should land before starting it.
  const gr::chan<int>* queue = nullptr;
  std::size_t size = 0;
  if (b.active_requests.len() < b.active_requests.cap()) {
    queue = &b.active_requests;  // expect it to be performed
    size = b.active_requests.len() + 1;
  } else if (b.pending_requests.len() < b.pending_requests.cap()) {
    queue = &b.pending_requests;  // expect it to be queued
    size = b.pending_requests.len() + 1;
  }
  auto start = std::make_shared<gr::WaitGroup>("start");
  start->add(1);
  gr::go([&b, start, r] {
    start->done();
    const bool ok = b.maybe([&] {
      r.lock->lock();  // blocks until the test unlocks the request
      r.lock->unlock();
    });
    r.accepted.send(ok);
  }, "request");
  start->wait();
  if (fixed) {
    if (queue)
      wait_for_queue(*queue, size);
    else
      wait_result(r);  // expect it to be rejected
  }
  return r;
}

void run(bool fixed) {
  Breaker b(1, 1);
  std::vector<Request> locks;
  for (int i = 0; i < 2; ++i) locks.push_back(concurrent_request(b, fixed));
  for (const Request& r : locks) {
    r.lock->unlock();
    wait_result(r);  // the request has completed
  }
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("serving_2137", "GoKer serving#2137",
                         "the second request takes the breaker's one active slot and waits on a lock held for the first: deadlock") {
  run(false);
}

GOREWIND_CORPUS_SCENARIO("serving_2137_fixed", "GoKer serving#2137",
                         "each request is seen in its queue before the next starts: never blocks") {
  run(true);
}
