// istio_16224: GoKer istio#16224 (istio/istio pull 16224, "Fix memory
// monitor test deadlock").
//
// The program models istio's in-memory config store monitor and its test.
// The monitor goroutine loops over a select on stop and on an unbuffered
// event channel, and hands each event to the registered handlers. The test
// registers a handler that takes a lock and then reports on an unbuffered
// done channel; it starts the monitor, sends one event, takes and releases
// the lock itself, then receives from done and closes stop:
//
//   handler: lock.Lock(); defer lock.Unlock(); done <- true   // BUG
//   test:    create event; lock.Lock(); lock.Unlock(); <-done; close(stop)
//
// Once the event is handed over, the handler and the test race for the
// lock. If the handler wins, it holds the lock while it waits for the test
// to receive from done, and the test waits for the lock before it receives.
//
// Expected outcome: deadlock (main on the lock, the monitor on the send to
// done) when the handler takes the lock first, about half the schedules;
// ok otherwise. The fix (the twin): the handler releases the lock before it
// sends on done.
//
// Not as in the kernel: on stop the kernel's monitor receives once more from
// the event channel before returning; nobody sends on it or closes it then,
// so that goroutine outlives the test on every schedule (a separate leak
// that a Go test never notices, reworked upstream later, in istio#42914).
// Here the monitor returns on stop, so that the leak check sees only the
// bug this program is about.
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

using Event = int;
using Handler = std::function<void(Event)>;

// ConfigStoreMonitor hands config events to its handlers, one at a time, on
// the goroutine that runs it.
struct ConfigStoreMonitor {
  std::vector<Handler> handlers;
  gr::chan<Event> event_ch{0, "eventCh"};

  void append_event_handler(Handler h) { handlers.push_back(std::move(h)); }

  // schedule_process_event() hands one event to the running monitor.
  void schedule_process_event(Event e) { event_ch.send(e); }

  void run(const gr::chan<bool>& stop) {
    for (;;) {
      Event ce{};
      bool ok = false;
      const int fired = gr::select(gr::recv(stop), gr::recv(event_ch, [&](Event v, bool o) {
        ce = v;
        ok = o;
      }));
      if (fired == 0) return;  // (the kernel receives once more here; see above)
      if (ok)
        for (const Handler& f : handlers) f(ce);
    }
  }
};

void event_consistency(bool fixed) {
  // Heap-held, as Go's closures would have them: the handler may still be
  // unlocking after the test has returned.
  auto monitor = std::make_shared<ConfigStoreMonitor>();
  auto lock = std::make_shared<gr::Mutex>("lock");
  gr::chan<bool> done(0, "done");
  monitor->append_event_handler([lock, done, fixed](Event) {
    if (fixed) {
      { std::lock_guard held(*lock); }
      done.send(true);  // FIX: sent after the lock is released
      return;
    }
    std::lock_guard held(*lock);
    done.send(true);  // BUG: sent while holding the lock
  });

  gr::chan<bool> stop(0, "stop");
  gr::go([monitor, stop] { monitor->run(stop); }, "monitor");

  monitor->schedule_process_event(0);

  lock->lock();
  lock->unlock();
  done.recv();

  stop.close();
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("istio_16224", "GoKer istio#16224",
                         "an event handler sends on done while holding the lock the test takes before receiving") {
  event_consistency(false);
}

GOREWIND_CORPUS_SCENARIO("istio_16224_fixed", "GoKer istio#16224",
                         "the event handler releases the lock before sending on done: no deadlock") {
  event_consistency(true);
}
