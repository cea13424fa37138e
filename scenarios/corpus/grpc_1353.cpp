// grpc_1353: grpc-go's round-robin balancer and the ClientConn's lbWatcher
// (grpc/grpc-go#1353, GoKer grpc#1353). The balancer sends 100 address
// updates, each while holding its mutex; the watcher, for each update it
// receives, tears down both connections, and tearing one down calls the
// balancer's down, which takes that same mutex:
//
//   watchAddrUpdates (x100): rr.mu.Lock(); defer rr.mu.Unlock(); addrCh <- true   // BUG: unbuffered
//   lbWatcher: for range addrCh { for _, c := range conns { c.tearDown() } }      // -> rr.mu.Lock()
//   closer:    <-HelpCh; rr.Close()   // after the 100 updates: lock, close(addrCh)
//
// Once the watcher has taken an update, the balancer takes the mutex back
// and blocks sending the next one, while the watcher, tearing down, waits
// for the mutex: each waits for the other, and the closer waits for the
// balancer. The test returns at once, so the outcome is a leak of the
// three. The fix (grpc-go#1353) gives addrCh a buffer of one and drains it
// before each send, so the balancer never blocks holding the mutex:
// `select { case <-addrCh: default: }; addrCh <- true`.
#include <memory>
#include <mutex>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

using Signal = gr::Empty;  // Go's struct{}

struct RoundRobin {
  gr::Mutex mu{"rr.mu"};
  gr::chan<bool> addr_ch = gr::chan<bool>::nil();
  gr::chan<Signal> help_ch{0, "HelpCh"};

  void start(bool fixed) {
    addr_ch = gr::chan<bool>(fixed ? 1 : 0, "addrCh");
  }

  void watch_addr_updates(bool fixed) {
    std::lock_guard lock(mu);
    if (fixed) gr::select(gr::recv(addr_ch), gr::otherwise());  // drop an update not yet taken
    addr_ch.send(true);  // BUG (unless fixed): blocks holding mu until the watcher receives
  }

  void down() { std::lock_guard lock(mu); }

  void close() {
    std::lock_guard lock(mu);
    if (!addr_ch.is_nil()) addr_ch.close();
  }
};

struct AddrConn {
  explicit AddrConn(RoundRobin* rr) : rr(rr) {}
  gr::Mutex mu{"ac.mu"};
  RoundRobin* rr;  // down: the balancer's Up() returns a func calling rr.down()

  void tear_down() {
    std::lock_guard lock(mu);
    if (rr) rr->down();
  }
};

struct ClientConn {
  RoundRobin balancer;
  AddrConn ac1{&balancer};
  AddrConn ac2{&balancer};
  std::vector<AddrConn*> conns{&ac1, &ac2};

  void lb_watcher() {
    for (bool addr : balancer.addr_ch) {
      (void)addr;
      std::vector<AddrConn*> del(conns.begin(), conns.end());
      for (AddrConn* c : del) c->tear_down();
    }
  }
};

void test(bool fixed) {
  // The goroutines outlive the test's body, so they share the connection.
  auto cc = std::make_shared<ClientConn>();
  cc->balancer.start(fixed);
  gr::go([cc, fixed] {
    for (int i = 0; i < 100; ++i) cc->balancer.watch_addr_updates(fixed);
    cc->balancer.help_ch.close();
  }, "watchAddrUpdates");
  gr::go([cc] { cc->lb_watcher(); }, "lbWatcher");
  gr::go([cc] {
    cc->balancer.help_ch.recv();
    cc->balancer.close();
  }, "closer");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("grpc_1353", "GoKer grpc#1353",
                         "round-robin balancer sends an update holding the mutex its watcher's tearDown needs: leak") {
  test(false);
}

GOREWIND_CORPUS_SCENARIO("grpc_1353_fixed", "GoKer grpc#1353",
                         "round-robin balancer drains a buffered addrCh before sending, so it never blocks holding the mutex") {
  test(true);
}
