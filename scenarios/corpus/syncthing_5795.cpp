// syncthing_5795: a protocol connection closed from its own dispatcher
// deadlocks (syncthing/syncthing PR #5795; GoKer blocking kernel
// syncthing#5795).
//
// A rawConnection runs a reader loop (until `closed`) and a dispatcher
// loop that hands each inbox message to the model and, when it returns,
// closes dispatcherLoopStopped. Closing the connection closes `closed`,
// then waits for the dispatcher to stop:
//
//   internalClose: closeOnce.Do(func() { close(c.closed); <-c.dispatcherLoopStopped })
//   Close:         c.internalClose()                       // BUG
//
// The test's model closes the connection from its ClusterConfig handler,
// which the dispatcher calls: the dispatcher then waits for itself to stop.
// Main, after sending the ClusterConfig, waits for the dispatcher too; the
// reader sees `closed` and exits. Every schedule ends so: a deadlock, main
// and the dispatcher both in chan receive on dispatcherLoopStopped.
//
// The fix (the twin): Close runs internalClose in a goroutine of its own, so
// the dispatcher returns from the handler, sees `closed` and stops.
#include <memory>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

constexpr int kClusterConfig = 1;  // the one message type the dispatcher hands on

struct Connection {
  gr::chan<int> inbox{0, "inbox"};
  gr::chan<bool> dispatcher_loop_stopped{0, "dispatcherLoopStopped"};
  gr::chan<bool> closed{0, "closed"};
  gr::Once close_once{"closeOnce"};
  bool fixed = false;
};

void internal_close(const std::shared_ptr<Connection>& c) {
  c->close_once.call([&] {
    c->closed.close();
    c->dispatcher_loop_stopped.recv();
  });
}

void close_connection(const std::shared_ptr<Connection>& c) {
  if (c->fixed)
    gr::go([c] { internal_close(c); }, "internalClose");
  else
    internal_close(c);  // BUG: may be called from the dispatcher it waits for
}

// cluster_config() is the test model's handler: it closes the connection.
void cluster_config(const std::shared_ptr<Connection>& c) { close_connection(c); }

// reader_loop() runs until the connection is closed. (The kernel's polls
// `closed` in a busy loop; waiting on it ends the same way on every
// schedule, and keeps pct, which never demotes a spinning goroutine but at
// its change points, from spinning through thousands of steps.)
void reader_loop(const std::shared_ptr<Connection>& c) { c->closed.recv(); }

void dispatch(const std::shared_ptr<Connection>& c) {
  for (;;) {
    int msg = 0;
    if (gr::select(gr::recv(c->inbox, [&](int m) { msg = m; }), gr::recv(c->closed)) == 1) return;
    if (msg != kClusterConfig) return;
    cluster_config(c);
  }
}

void run(bool fixed) {
  auto c = std::make_shared<Connection>();
  c->fixed = fixed;
  gr::go([c] { reader_loop(c); }, "readerLoop");
  gr::go([c] {
    dispatch(c);
    c->dispatcher_loop_stopped.close();  // the loop's deferred close
  }, "dispatcherLoop");
  c->inbox.send(kClusterConfig);
  c->dispatcher_loop_stopped.recv();
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("syncthing_5795", "GoKer syncthing#5795",
                         "the dispatcher closes its connection and waits for itself to stop: deadlock") {
  run(false);
}

GOREWIND_CORPUS_SCENARIO("syncthing_5795_fixed", "GoKer syncthing#5795",
                         "the connection is closed from a goroutine of its own: the dispatcher stops") {
  run(true);
}
