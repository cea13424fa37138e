// moby_27782: following a container's JSON log deadlocks when the log
// watcher is closed as a file event arrives (moby/moby#27779, fixed by PR
// #27782; GoKer blocking kernel moby#27782).
//
// A container's logging fails to start, so it closes its log driver at
// once, which closes every LogWatcher its readers follow. A reader
// (readLogs, followLogs) watches the log file with an fsnotify Watcher
// whose goroutine (readEvents) delivers each inotify event on the
// unbuffered Events channel, except IN_IGNORED, which it consumes itself:
// it drops the watch and broadcasts the watcher's Cond. Remove waits on that
// Cond until the watch is gone. The reader waits for a file event or for
// the LogWatcher to close:
//
//   select { case <-fileWatcher.Events(): ...
//            case <-logWatcher.WatchClose(): fileWatcher.Remove(); return }   // BUG
//
// If the LogWatcher is closed (the driver saw the reader registered) and
// the reader takes WatchClose while readEvents holds an IN_MODIFY event
// (the kernel's watcher only ever sees writes), the reader waits in Remove
// for an IN_IGNORED that readEvents will never read: it is blocked sending
// the IN_MODIFY to the reader. Main (the kernel's test) only starts the
// container and returns, so the outcome is a leak: readLogs in sync.Cond.Wait,
// readEvents in select (send on Events, receive on done).
//
// The fix (the twin): a goroutine of its own waits for WatchClose, removes
// the watch and cancels a context; the reader selects on that context
// instead, so it keeps draining Events, and removes the watch again (a
// no-op if gone) before it closes the watcher.
//
// Beyond the kernel: its Remove waits on `exists`, which nothing clears,
// and its watcher makes a new write event each time round, so no Remove
// could ever return and no fixed twin could end. Here the inotify file
// descriptor is a small buffered channel (the OS's event queue, not Go
// memory): the file was written once (one IN_MODIFY), Remove's
// inotify_rm_watch queues IN_IGNORED, and readEvents blocks reading it until
// the watcher is closed. ignoreLinux's non-write branch (the kernel's) also
// drops the watch, as fsnotify's does. The bug's failing schedules are the
// kernel's: readEvents holds its IN_MODIFY when Remove starts.
#include <chrono>
#include <memory>
#include <tuple>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

namespace {

enum Op : int { Write = 2, Ignored = 0x8000 };

// Watcher is fsnotify's inotify Watcher for one file.
struct Watcher {
  gr::chan<int> events{0, "Events"};
  gr::Mutex mu{"watcher.mu"};
  gr::Cond cv{mu, "watcher.cv"};
  gr::chan<bool> done{0, "watcher.done"};
  gr::chan<int> fd{2, "inotify"};  // the kernel's queue of inotify events
  bool watching = true;            // the file's watch is in place (guarded by mu)
  bool removing = false;           // IN_IGNORED is queued (guarded by mu)

  bool is_closed() const { return gr::select(gr::recv(done), gr::otherwise()) == 0; }

  void close() {
    if (is_closed()) return;
    done.close();
  }

  // remove() removes the watch and waits until readEvents has seen it go.
  void remove() {
    mu.lock();
    if (watching && !removing) {
      removing = true;
      fd.send(Ignored);  // inotify_rm_watch
    }
    while (watching) cv.wait();
    mu.unlock();
  }

  // ignore_linux() consumes the events the reader must not see.
  bool ignore_linux(int op) {
    if (op == Write) return false;
    mu.lock();
    watching = removing = false;
    cv.broadcast();
    mu.unlock();
    return true;
  }

  void read_events() {
    while (!is_closed()) {
      int op = 0;
      if (gr::select(gr::recv(fd, [&](int e) { op = e; }), gr::recv(done)) == 1) break;  // read(fd)
      if (ignore_linux(op)) continue;
      gr::sleep(300ns);
      if (gr::select(gr::send(events, op), gr::recv(done)) == 1) break;
    }
    events.close();  // deferred
  }
};

std::shared_ptr<Watcher> new_watcher() {
  auto w = std::make_shared<Watcher>();
  w->fd.send(Write);  // the container writes its log
  gr::go([w] { w->read_events(); }, "readEvents");
  return w;
}

struct LogWatcher {
  gr::Once close_once{"closeOnce"};
  gr::chan<bool> close_notifier{0, "closeNotifier"};

  void close() {
    close_once.call([&] { close_notifier.close(); });
  }
};

void follow_logs(const std::shared_ptr<LogWatcher>& log_watcher, bool fixed) {
  auto file_watcher = new_watcher();
  gr::Context ctx = gr::Context::background();
  gr::CancelFunc cancel;
  if (fixed) {
    std::tie(ctx, cancel) = gr::with_cancel(gr::Context::background());
    gr::go([log_watcher, file_watcher, ctx, cancel] {
      gr::select(gr::recv(log_watcher->close_notifier, [&] {
                   file_watcher->remove();
                   cancel();
                 }),
                 gr::recv(ctx.done()));
    }, "removeOnClose");
  }
  // waitRead, once (handleDecodeErr)
  gr::sleep(300ns);
  if (fixed) {
    gr::select(gr::recv(file_watcher->events), gr::recv(ctx.done()));
    cancel();  // deferred, in this order
    file_watcher->remove();
  } else {
    if (gr::select(gr::recv(file_watcher->events), gr::recv(log_watcher->close_notifier)) == 1) {
      file_watcher->remove();  // BUG: readEvents may be blocked sending us an event
      return;                  // (the deferred close is never reached)
    }
  }
  file_watcher->close();  // deferred
}

// JSONFileLogger is the log driver: it knows the readers following it.
struct JSONFileLogger {
  std::vector<std::shared_ptr<LogWatcher>> readers;

  void close() {
    const auto watched = readers;  // close() is a scheduling point: iterate a copy
    for (const auto& r : watched) r->close();
    readers.clear();
  }
};

void read_logs(const std::shared_ptr<JSONFileLogger>& l, bool fixed) {
  auto log_watcher = std::make_shared<LogWatcher>();
  gr::go([l, log_watcher, fixed] {
    l->readers.push_back(log_watcher);  // unguarded, as in the kernel (upstream holds l.mu)
    follow_logs(log_watcher, fixed);
  }, "readLogs");
}

void initialize_stdio(bool fixed) {
  // startLogging fails after starting a reader; Reset closes the driver.
  auto driver = std::make_shared<JSONFileLogger>();
  read_logs(driver, fixed);
  driver->close();
}

void run(bool fixed) {
  gr::go([fixed] { initialize_stdio(fixed); }, "InitializeStdio");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("moby_27782", "GoKer moby#27782",
                         "the log reader waits in Remove for an event its watcher is blocked handing it: leak") {
  run(false);
}

GOREWIND_CORPUS_SCENARIO("moby_27782_fixed", "GoKer moby#27782",
                         "the watch is removed by a goroutine of its own while the reader drains events: never blocks") {
  run(true);
}
