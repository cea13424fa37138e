// kubernetes_70277: GoKer kubernetes#70277, wait.WaitFor in Kubernetes'
// apimachinery (pkg/util/wait) leaves its poller running, and the kernel's
// caller waits for the poller's done channel.
//
// poller(1ms, 20s) is a WaitFunc: given a done channel it starts a goroutine
// that, every tick, offers a value on an unbuffered channel without
// blocking, and quits only when done is closed or the 20s timeout fires,
// closing that channel on its way out. WaitFor(wait, fn, done) calls
// wait(done) and receives until fn says the condition holds:
//
//   go poller: for { select { case <-tick.C: select { case ch <- {}: default: }; case <-after: return; case <-done: return } }
//   main:      WaitFor(func(done) { doneCh = done; return poller(done) }, alwaysTrue, stopCh); <-doneCh
//
// WaitFor hands the caller's stopCh through as done, and nobody closes it
// until the test returns (a defer), so the poller ticks on for the whole 20s
// timeout and main, waiting on doneCh, never wakes. Once the poller has
// quit, every goroutine is asleep: a deadlock with main on chan receive. No
// schedule escapes it: this bug needs no unlucky interleaving.
//
// The fix (kubernetes PR 70277, "Fix goroutine leak of wait.poller"):
// WaitFor makes a stop channel of its own, passes that to the WaitFunc,
// closes it when it returns, and selects on the caller's done beside the
// poller's channel. The poller then stops as soon as WaitFor returns, and
// doneCh is closed. The twin applies it.
#include <chrono>
#include <functional>
#include <optional>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

namespace {

using Signal = gr::chan<bool>;  // Go's chan struct{}: only closed or offered
using WaitFunc = std::function<Signal(Signal done)>;
using ConditionFunc = std::function<bool()>;

constexpr gr::Duration kForeverTestTimeout = 20s;

WaitFunc poller(gr::Duration interval, gr::Duration timeout) {
  return [interval, timeout](Signal done) {
    Signal ch(0, "ch");
    gr::go([ch, done, interval, timeout] {
      gr::Ticker tick(interval);
      std::optional<gr::Timer> timer;
      auto after = gr::chan<gr::Time>::nil();
      if (timeout != gr::Duration::zero()) {
        timer.emplace(timeout);
        after = timer->C;
      }
      for (;;) {
        const int fired = gr::select(gr::recv(tick.C), gr::recv(after), gr::recv(done));
        if (fired != 0) break;
        gr::select(gr::send(ch, true), gr::otherwise());
      }
      if (timer) timer->stop();
      tick.stop();
      ch.close();
    }, "poller");
    return ch;
  };
}

void wait_for(const WaitFunc& wait, const ConditionFunc& fn, Signal done, bool fixed) {
  if (!fixed) {
    Signal c = wait(done);  // BUG: the poller stops only when the caller's done is closed
    for (;;) {
      const bool open = c.recv_ok().second;
      if (fn()) return;
      if (!open) return;
    }
  }
  Signal stop(0, "stop");  // the fix: WaitFor's own, closed when it returns
  Signal c = wait(stop);
  for (;;) {
    bool open = true;
    const int fired = gr::select(gr::recv(c, [&](bool, bool ok) { open = ok; }), gr::recv(done));
    if (fired == 1 || fn() || !open) break;
  }
  stop.close();
}

void program(bool fixed) {
  Signal stop_ch(0, "stopCh");
  const WaitFunc wait_func = poller(1ms, kForeverTestTimeout);
  Signal done_ch = Signal::nil();
  wait_for([&](Signal done) {
    done_ch = done;
    return wait_func(done);
  }, [] { return true; }, stop_ch, fixed);
  done_ch.recv();  // the bug's doneCh is stopCh, closed only below
  stop_ch.close();  // the test's defer
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("kubernetes_70277", "GoKer kubernetes#70277",
                         "WaitFor leaves its poller running on the caller's done channel: main waits forever") {
  program(false);
}

GOREWIND_CORPUS_SCENARIO("kubernetes_70277_fixed", "GoKer kubernetes#70277",
                         "WaitFor stops its poller with a channel of its own when it returns: never blocks") {
  program(true);
}
