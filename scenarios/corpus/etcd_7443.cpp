// etcd_7443: etcd's clientv3 simpleBalancer under gRPC's ClientConn
// (etcd-io/etcd#7443, GoKer etcd#7443). The balancer tells gRPC which
// addresses to connect to on notifyCh (buffer 1, holding all three
// addresses at the start); gRPC's lbWatcher connects to new ones and tears
// down the others. The balancer sends on notifyCh while holding its mutex:
//
//   Up(addr):  mu.Lock(); if pinAddr == 0 { pinAddr = addr; notifyCh <- [addr] }   // BUG
//   down:      mu.Lock(); if pinAddr == addr { pinAddr = 0; notifyCh <- addrs }    // BUG
//   lbWatcher: for addrs := range notifyCh { connect the new (a goroutine each
//              calls Up), tearDown the dropped (which calls their down) }
//
// (Addresses are 0, 1 and 2, and 0 also means "none pinned", so Up(0) pins
// nothing and the next Up sends again.) The test dials, then closes the
// balancer and the connection from two goroutines and waits for the first.
// Failing interleaving: Up(0) sends [0]; lbWatcher takes it; Up(1) pins 1
// and fills the buffer with [1]; lbWatcher, acting on [0], tears down 1,
// whose down sees 1 pinned and sends on the full notifyCh holding the
// balancer's mutex. Only lbWatcher receives there, so it waits forever;
// Up(2) and both Closes wait for the mutex, main for Close. Outcome:
// deadlock. The fix (etcd-io/etcd#7443, "serialize updating notifych in
// balancer") takes the sends out of Up and down: they record the update under
// the mutex and wake a new goroutine, updateNotifyLoop, the only sender on
// notifyCh, which sends without the mutex and gives up once stopc is closed;
// Close closes stopc, waits for the loop to finish, then closes notifyCh.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

using Address = int;
using Addresses = std::vector<Address>;

using Signal = gr::Empty;  // Go's struct{}

struct World;
// go() starts a goroutine that keeps the world alive: the test's body returns
// before some of them finish.
template <class F>
void go(World* w, const char* name, F fn);

struct SimpleBalancer {
  SimpleBalancer(World* w, bool fixed) : world(w), fixed(fixed) {
    for (Address a = 0; a < 3; ++a) addrs.push_back(a);
    notify_ch.send(addrs);
    if (fixed) go(world, "updateNotifyLoop", [this] { update_notify_loop(); });
  }

  World* world;
  const bool fixed;
  Addresses addrs;
  gr::chan<Addresses> notify_ch{1, "notifyCh"};
  gr::RWMutex mu{"sb.mu"};
  bool closed = false;
  Address pin_addr = 0;
  // The fix's: the update waiting for updateNotifyLoop, the loop's wake-up,
  // and the channels that stop it and say it has stopped.
  std::optional<Addresses> pending;
  gr::chan<Signal> wake{1, "wake"};
  gr::chan<Signal> stopc{0, "stopc"};
  gr::chan<Signal> donec{0, "donec"};

  // notify() hands gRPC an address list; the caller holds mu.
  void notify(Addresses update) {
    if (!fixed) {
      notify_ch.send(std::move(update));  // BUG: sends holding mu, and only lbWatcher receives
      return;
    }
    pending = std::move(update);
    gr::select(gr::send(wake, Signal{}), gr::otherwise());
  }

  void update_notify_loop() {
    for (;;) {
      bool stop = false;
      gr::select(gr::recv(wake, [&] {
                   mu.lock();
                   std::optional<Addresses> update = std::exchange(pending, std::nullopt);
                   mu.unlock();
                   if (update) gr::select(gr::send(notify_ch, *update), gr::recv(stopc, [&] { stop = true; }));
                 }),
                 gr::recv(stopc, [&] { stop = true; }));
      if (stop) break;
    }
    donec.close();
  }

  std::function<void()> up(Address addr) {
    std::lock_guard lock(mu);
    if (closed) return [] {};
    if (pin_addr == 0) {
      pin_addr = addr;
      notify(Addresses{addr});
    }
    return [this, addr] {
      mu.lock();
      if (pin_addr == addr) {
        pin_addr = 0;
        try {
          notify(addrs);
        } catch (const gr::Panic&) {
          // send on closed channel (the balancer has closed): down recovers
        }
      }
      mu.unlock();
    };
  }

  void close() {
    std::unique_lock lock(mu);
    if (closed) return;
    closed = true;
    if (fixed) stopc.close();
    else notify_ch.close();
    pin_addr = 0;
    if (!fixed) return;
    lock.unlock();
    donec.recv();  // updateNotifyLoop has returned: nobody sends on notifyCh now
    notify_ch.close();
  }
};

struct ClientConn;

struct AddrConn {
  gr::Mutex mu{"ac.mu"};
  ClientConn* cc;
  Address addr;
  std::function<void()> down;

  AddrConn(ClientConn* cc, Address addr) : cc(cc), addr(addr) {}
  void tear_down() {
    std::lock_guard lock(mu);
    if (down) {
      down();
      down = nullptr;
    }
  }
  void reset_transport();
};

struct ClientConn {
  ClientConn(World* w, SimpleBalancer* balancer) : world(w), balancer(balancer) {
    go(world, "lbWatcher", [this] { lb_watcher(); });
  }

  World* world;
  SimpleBalancer* balancer;
  gr::RWMutex mu{"cc.mu"};
  // conns is Go's map[Address]*addrConn, nil once closed; visited in address
  // order where Go's is random.
  std::optional<std::map<Address, AddrConn*>> conns{std::in_place};
  std::vector<std::unique_ptr<AddrConn>> made;  // owns every addrConn

  void lb_watcher() {
    for (const Addresses& update : balancer->notify_ch) {
      Addresses add;
      std::vector<AddrConn*> del;
      mu.lock();
      for (Address a : update)
        if (!conns || !conns->contains(a)) add.push_back(a);
      if (conns) {
        for (auto it = conns->begin(); it != conns->end();) {
          bool keep = false;
          for (Address a : update) keep = keep || it->first == a;
          if (keep) {
            ++it;
          } else {
            del.push_back(it->second);
            it = conns->erase(it);
          }
        }
      }
      mu.unlock();
      for (Address a : add) reset_addr_conn(a);
      for (AddrConn* c : del) c->tear_down();
    }
  }

  void reset_addr_conn(Address addr) {
    AddrConn* ac = made.emplace_back(std::make_unique<AddrConn>(this, addr)).get();
    mu.lock();
    if (!conns) {
      mu.unlock();
      return;
    }
    (*conns)[addr] = ac;
    mu.unlock();
    go(world, "resetTransport", [ac] { ac->reset_transport(); });
  }

  void close() {
    mu.lock();
    std::optional<std::map<Address, AddrConn*>> taken = std::exchange(conns, std::nullopt);
    mu.unlock();
    balancer->close();
    if (taken)
      for (auto& [addr, ac] : *taken) ac->tear_down();
  }
};

void AddrConn::reset_transport() {
  std::lock_guard lock(mu);
  down = cc->balancer->up(addr);
}

// World is the balancer and the connection Dial makes over it.
struct World : std::enable_shared_from_this<World> {
  explicit World(bool fixed) : fixed(fixed) {}
  void dial() {
    sb.emplace(this, fixed);
    conn.emplace(this, &*sb);
  }
  const bool fixed;
  std::optional<SimpleBalancer> sb;
  std::optional<ClientConn> conn;
};

template <class F>
void go(World* w, const char* name, F fn) {
  gr::go([keep = w->shared_from_this(), fn = std::move(fn)] { fn(); }, name);
}

void test(bool fixed) {
  auto w = std::make_shared<World>(fixed);
  w->dial();
  gr::chan<Signal> closec(0, "closec");
  go(w.get(), "balancer.Close", [w = w.get(), closec] {
    w->sb->close();
    closec.close();
  });
  go(w.get(), "conn.Close", [w = w.get()] { w->conn->close(); });
  closec.recv();
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("etcd_7443", "GoKer etcd#7443",
                         "clientv3 balancer: down sends on notifyCh holding the mutex while lbWatcher, the receiver, "
                         "is the caller: deadlock") {
  test(false);
}

GOREWIND_CORPUS_SCENARIO("etcd_7443_fixed", "GoKer etcd#7443",
                         "clientv3 balancer: updateNotifyLoop alone sends on notifyCh, without the mutex, until stopc") {
  test(true);
}
