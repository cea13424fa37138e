// etcd_6857: etcd's raft node (etcd-io/etcd#6857, GoKer etcd#6857). A node's
// run loop serves two requests until it is stopped:
//
//   run:    for { select { case c := <-status: c <- Status{}
//                          case <-stop: close(done); return } }
//   Status: c := make(chan Status); status <- c; return <-c      // BUG
//   Stop:   select { case stop <- struct{}{}: case <-done: return }; <-done
//
// The test starts run, Status and Stop as three goroutines and returns. If
// Stop reaches the loop first, the loop closes done and returns; Status then
// sends on status, which nobody will ever receive again: it blocks forever.
// Outcome: leak (Status blocked in chan send on status). The fix (etcd's
// Status now selects on done too) gives up when the node has stopped:
// `select { case status <- c: return <-c; case <-done: return Status{} }`.
#include <memory>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

using Signal = gr::Empty;  // Go's struct{}
struct Status {
  template <class Archive>
  void serialize(Archive&) {}
};
// StatusRequest is a `chan Status` sent on a `chan chan Status`; its zero
// value is the nil channel, as in Go.
struct StatusRequest {
  gr::chan<Status> reply = gr::chan<Status>::nil();
};

struct Node {
  gr::chan<StatusRequest> status{0, "status"};
  gr::chan<Signal> stop{0, "stop"};
  gr::chan<Signal> done{0, "done"};

  void run() {
    for (;;) {
      bool stopped = false;
      gr::select(gr::recv(status, [](StatusRequest req) { req.reply.send(Status{}); }),
                 gr::recv(stop, [&] {
                   done.close();
                   stopped = true;
                 }));
      if (stopped) return;
    }
  }

  Status get_status(bool fixed) {
    StatusRequest req{gr::chan<Status>(0, "status_reply")};
    if (!fixed) {
      status.send(req);  // BUG: blocks forever once run has returned
      return req.reply.recv();
    }
    Status s;
    gr::select(gr::send(status, req, [&] { s = req.reply.recv(); }), gr::recv(done));
    return s;
  }

  void stop_node() {
    bool already = false;
    gr::select(gr::send(stop, Signal{}), gr::recv(done, [&] { already = true; }));
    if (already) return;
    done.recv();
  }
};

void test(bool fixed) {
  // The goroutines outlive the test's body, so they share the node.
  auto n = std::make_shared<Node>();
  gr::go([n] { n->run(); }, "run");
  gr::go([n, fixed] { n->get_status(fixed); }, "status");
  gr::go([n] { n->stop_node(); }, "stop");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("etcd_6857", "GoKer etcd#6857",
                         "raft node: Status sends on a channel the stopped run loop no longer reads: leak") {
  test(false);
}

GOREWIND_CORPUS_SCENARIO("etcd_6857_fixed", "GoKer etcd#6857",
                         "raft node: Status also selects on done, so it returns once the node has stopped") {
  test(true);
}
