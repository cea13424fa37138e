// etcd_6873: etcd's gRPC proxy, watchBroadcasts (etcd-io/etcd#6873, GoKer
// etcd#6873). A goroutine coalesces updates until its channel is closed,
// taking the broadcasts' mutex for each; stop closes the channel and waits
// for that goroutine to finish, but still holds the mutex while it waits:
//
//   go func() { defer close(donec); for wb := range updatec { mu.Lock(); mu.Unlock() } }()
//   update: select { case updatec <- wb: default: }
//   stop:   mu.Lock(); defer mu.Unlock(); close(updatec); <-donec    // BUG
//
// The test makes the broadcasts, sends one update (it waits in updatec's
// buffer of one), starts stop in a goroutine and returns. If stop takes the
// mutex before the coalescing goroutine has finished with the update, that
// goroutine blocks on the mutex and stop waits on donec for it forever.
// Outcome: leak (both goroutines blocked: a lock/channel deadlock). The fix
// (etcd commit 7618fdd) releases the mutex before waiting on donec.
#include <memory>
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

using Signal = gr::Empty;  // Go's struct{}
struct WatchBroadcast {
  template <class Archive>
  void serialize(Archive&) {}
};

struct WatchBroadcasts {
  gr::Mutex mu{"wbs.mu"};
  gr::chan<WatchBroadcast> updatec{1, "updatec"};
  gr::chan<Signal> donec{0, "donec"};

  void coalesce(WatchBroadcast) {
    mu.lock();
    mu.unlock();
  }

  void update(WatchBroadcast wb) { gr::select(gr::send(updatec, wb), gr::otherwise()); }

  void stop(bool fixed) {
    std::unique_lock lock(mu);
    updatec.close();
    if (fixed) lock.unlock();
    donec.recv();  // BUG (unless fixed): waits holding mu, which the coalescer needs
  }
};

std::shared_ptr<WatchBroadcasts> new_watch_broadcasts() {
  auto wbs = std::make_shared<WatchBroadcasts>();
  gr::go([wbs] {
    for (WatchBroadcast wb : wbs->updatec) wbs->coalesce(wb);
    wbs->donec.close();
  }, "coalesce");
  return wbs;
}

void test(bool fixed) {
  auto wbs = new_watch_broadcasts();
  wbs->update(WatchBroadcast{});
  gr::go([wbs, fixed] { wbs->stop(fixed); }, "stop");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("etcd_6873", "GoKer etcd#6873",
                         "watchBroadcasts: stop waits for the coalescer while holding the mutex it needs: deadlock leak") {
  test(false);
}

GOREWIND_CORPUS_SCENARIO("etcd_6873_fixed", "GoKer etcd#6873",
                         "watchBroadcasts: stop releases the mutex before waiting for the coalescer") {
  test(true);
}
