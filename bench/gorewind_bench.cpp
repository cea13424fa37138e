// gorewind_bench: the runtime's speed and memory, program for program the
// same as bench/go/main.go (the Go peer), so that bench/run.sh can put the two
// side by side. Every program runs inside gr::run with no observer, on the
// fifo strategy (Go-like run queue) unless the name says otherwise;
// pingpong_observed is pingpong with an observer that does nothing, which
// makes the runtime build every event, and pingpong_hashed the same with
// the trace hasher, as `gorewind run` always has it: the three apart give
// what building events costs and what hashing them does.
//
// Output, one line per benchmark:  <name> <best> <median> <unit>
// (best and median over the repetitions in this process).
//
//   gorewind_bench [--quick] [--only NAME[,NAME...]]
//   gorewind_bench --spawn-park N     # only spawn_park, of N goroutines
//
// rss_parked runs first: the runtime keeps a per-thread pool of stacks whose
// pages stay resident, so it must see a fresh pool to measure what 100,000
// parked goroutines cost.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/context/fiber.hpp>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using Clock = std::chrono::steady_clock;

namespace {

bool g_quick = false;
std::set<std::string> g_only;

bool selected(const std::string& name) { return g_only.empty() || g_only.count(name) > 0; }

double ns_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
}

void report(const std::string& name, std::vector<double> v, const char* unit) {
  std::sort(v.begin(), v.end());
  const double best = v.front();
  const double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  std::printf("%s %.2f %.2f %s\n", name.c_str(), best, median, unit);
  std::fflush(stdout);
}

// run_program() runs body as the main goroutine; body returns its own timing
// (measured inside the run, as the Go peer measures inside main).
double run_program(const char* strategy, const std::function<double()>& body,
                   std::vector<gr::Observer*> observers = {}) {
  double out = 0;
  gr::RunOptions opts;
  opts.seed = 1;
  opts.strategy = gr::make_strategy(strategy);
  opts.observers = std::move(observers);
  (void)gr::run([&] { out = body(); }, opts);
  return out;
}

// --- the programs (each mirrors a function of bench/go/main.go) ---

// Ping-pong: main sends on ping, the echo goroutine sends it back on pong.
// Nanoseconds per round trip.
double pingpong(int n) {
  gr::chan<int> ping, pong;
  gr::go([=] {
    for (int i = 0; i < n; ++i) pong.send(ping.recv() + 1);
  });
  const auto t0 = Clock::now();
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    ping.send(i);
    sum += pong.recv();
  }
  const double ns = ns_since(t0);
  if (sum != static_cast<long>(n) * (n + 1) / 2) std::abort();
  return ns / n;
}

// Buffered producer/consumer: a producer sends n items on a channel of 128
// and closes it; main ranges over it. Nanoseconds per item.
double buffered(int n) {
  gr::chan<int> c(128);
  const auto t0 = Clock::now();
  gr::go([=] {
    for (int i = 0; i < n; ++i) c.send(i);
    c.close();
  });
  long sum = 0;
  for (int v : c) sum += v;
  const double ns = ns_since(t0);
  if (sum != static_cast<long>(n) * (n - 1) / 2) std::abort();
  return ns / n;
}

// Select across goroutines: two producers send n/2 items each on their own
// unbuffered channel; main receives all n with a two-case select.
// Nanoseconds per select.
double select_recv(int n) {
  gr::chan<int> a, b;
  const int half = n / 2;
  const auto t0 = Clock::now();
  gr::go([=] {
    for (int i = 0; i < half; ++i) a.send(i);
  });
  gr::go([=] {
    for (int i = 0; i < half; ++i) b.send(i);
  });
  long sum = 0;
  for (int i = 0; i < 2 * half; ++i) {
    gr::select(gr::recv(a, [&](int v, bool) { sum += v; }), gr::recv(b, [&](int v, bool) { sum += v; }));
  }
  const double ns = ns_since(t0);
  if (sum != static_cast<long>(half) * (half - 1)) std::abort();
  return ns / (2 * half);
}

// Spawn and exit: main starts n goroutines that each call wg.Done and
// return, then waits for them. Nanoseconds per goroutine.
double spawn_exit(int n) {
  gr::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(n);
  for (int i = 0; i < n; ++i) gr::go([&wg] { wg.done(); });
  wg.wait();
  return ns_since(t0) / n;
}

long resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (!f || std::fscanf(f, "%ld %ld", &size, &resident) != 2) std::abort();
  std::fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

// park_all() starts n goroutines that each say they started and then block
// receiving from one channel; with all of them parked it calls parked(),
// then closes the channel and waits for them all to finish.
template <class F>
void park_all(int n, F parked) {
  gr::chan<int> c;
  gr::WaitGroup started, finished;
  started.add(n);
  finished.add(n);
  for (int i = 0; i < n; ++i)
    gr::go([&started, &finished, c] {
      started.done();
      (void)c.recv();
      finished.done();
    });
  started.wait();
  parked();
  c.close();
  finished.wait();
}

// RSS per parked goroutine: the resident set with n goroutines parked
// (park_all), over the one before. Bytes per goroutine.
double rss_parked(int n) {
  const long before = resident_bytes();
  long during = 0;
  park_all(n, [&] { during = resident_bytes(); });
  return static_cast<double>(during - before) / n;
}

// Spawn, park and release, the whole process (--spawn-park N, alone in its
// process so that bench/run.sh can read its peak resident set): park_all of
// n goroutines. Microseconds per goroutine.
double spawn_park(int n) {
  const auto t0 = Clock::now();
  park_all(n, [] {});
  return ns_since(t0) / 1e3 / n;
}

// Prime sieve, the Go tour's program as it stands: the generator counts
// forever, each filter loops forever, main takes the first n primes and
// returns with every goroutine blocked (outcome leak: only time matters).
// Milliseconds from main's start to the nth prime.
double sieve(int n, long* last) {
  const auto t0 = Clock::now();
  gr::chan<int> ch;
  gr::go([ch] {
    for (int i = 2;; ++i) ch.send(i);
  });
  for (int k = 0; k < n; ++k) {
    const int prime = ch.recv();
    *last = prime;
    gr::chan<int> next;
    gr::go([in = ch, out = next, prime] {
      for (;;) {
        const int i = in.recv();
        if (i % prime != 0) out.send(i);
      }
    });
    ch = next;
  }
  return ns_since(t0) / 1e6;
}

// Prime sieve that stops cleanly (scenarios/prime_sieve.cpp): the generator
// stops at an upper bound for the nth prime and closes; each filter ranges
// over its input and closes its output; main drains the last channel.
// Milliseconds for the whole program.
double sieve_clean(int n, long* last) {
  const auto t0 = Clock::now();
  // Rosser: p_n < n(ln n + ln ln n) for n >= 6, as the scenario computes it.
  const int limit = static_cast<int>(n * (std::log(double(n)) + std::log(std::log(double(n)))));
  gr::chan<int> ch;
  gr::go([ch, limit] {
    for (int i = 2; i <= limit; ++i) ch.send(i);
    ch.close();
  });
  for (int k = 0; k < n; ++k) {
    const int prime = ch.recv();
    *last = prime;
    gr::chan<int> next;
    gr::go([in = ch, out = next, prime] {
      for (int i : in)
        if (i % prime != 0) out.send(i);
      out.close();
    });
    ch = next;
  }
  for (int rest : ch) (void)rest;
  return ns_since(t0) / 1e6;
}

// The floor: a raw Boost.Context switch (fiber resume ping-pong), in ns per
// one-way switch.
double raw_switch(int n) {
  namespace ctx = boost::context;
  ctx::fiber f{[n](ctx::fiber&& back) {
    for (int i = 0; i < n; ++i) back = std::move(back).resume();
    return std::move(back);
  }};
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) f = std::move(f).resume();
  const double ns = ns_since(t0);
  f = std::move(f).resume();  // let it return
  return ns / (2.0 * n);
}

// Unobserving takes every event and does nothing with it.
class Unobserving final : public gr::Observer {
 public:
  void on_event(const gr::Event&) override {}
};

template <class F>
void bench(const std::string& name, int reps, const char* unit, F&& once) {
  if (!selected(name)) return;
  std::vector<double> v;
  for (int r = 0; r < reps; ++r) v.push_back(once());
  report(name, std::move(v), unit);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      g_quick = true;
    } else if (!std::strcmp(argv[i], "--spawn-park") && i + 1 < argc) {
      // The whole process: from here, through the run's teardown, to exit.
      const auto t0 = Clock::now();
      const int n = std::atoi(argv[++i]);
      const double in_run = run_program("fifo", [n] { return spawn_park(n); });
      const double whole = ns_since(t0) / 1e3 / n;
      report("spawn_park_in_run", {in_run}, "us/goroutine");
      report("spawn_park_whole", {whole}, "us/goroutine");
      return 0;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      std::string list = argv[++i];
      std::size_t pos = 0;
      while (pos <= list.size()) {
        const std::size_t comma = std::min(list.find(',', pos), list.size());
        g_only.insert(list.substr(pos, comma - pos));
        pos = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: gorewind_bench [--quick] [--only NAME[,NAME...]] | --spawn-park N\n");
      return 2;
    }
  }
  const int scale = g_quick ? 10 : 1;
  const int reps = g_quick ? 3 : 5;

  // Once per process, first: see the comment at the top.
  if (selected("rss_parked")) {
    const double b = run_program("fifo", [] { return rss_parked(100000); });
    report("rss_parked", {b}, "B/goroutine");
  }
  bench("pingpong", reps, "ns/roundtrip", [&] { return run_program("fifo", [&] { return pingpong(500000 / scale); }); });
  bench("pingpong_observed", reps, "ns/roundtrip", [&] {
    Unobserving nothing;
    return run_program("fifo", [&] { return pingpong(500000 / scale); }, {&nothing});
  });
  bench("pingpong_hashed", reps, "ns/roundtrip", [&] {
    gr::TraceHasher hasher;
    return run_program("fifo", [&] { return pingpong(500000 / scale); }, {&hasher});
  });
  bench("pingpong_random", reps, "ns/roundtrip",
        [&] { return run_program("random", [&] { return pingpong(500000 / scale); }); });
  bench("buffered", reps, "ns/item", [&] { return run_program("fifo", [&] { return buffered(2000000 / scale); }); });
  bench("select", reps, "ns/select", [&] { return run_program("fifo", [&] { return select_recv(1000000 / scale); }); });
  bench("spawn_exit", reps, "ns/goroutine",
        [&] { return run_program("fifo", [&] { return spawn_exit(100000 / scale); }); });
  bench("raw_switch", reps, "ns/switch", [&] { return raw_switch(10000000 / scale); });
  const int sieve_reps = g_quick ? 1 : 3;
  const int primes = g_quick ? 500 : 2000;
  long last = 0;
  bench("sieve_2000_clean", sieve_reps, "ms",
        [&] { return run_program("fifo", [&] { return sieve_clean(primes, &last); }); });
  // The Go tour's sieve leaves 2001 goroutines blocked. The Go peer runs it
  // once per process, last, since leaked goroutines would weigh on what
  // follows there (the garbage collector scans their stacks); so does this
  // side. sieve_2000_wholerun is the same run timed around the whole gr::run:
  // it adds tearing down the blocked goroutines, which Go never pays.
  if (selected("sieve_2000")) {
    const auto t0 = Clock::now();
    const double in_run = run_program("fifo", [&] { return sieve(primes, &last); });
    const double whole = ns_since(t0) / 1e6;
    if (!g_quick && last != 17389) {
      std::fprintf(stderr, "sieve: the 2000th prime came out as %ld\n", last);
      return 1;
    }
    report("sieve_2000", {in_run}, "ms");
    report("sieve_2000_wholerun", {whole}, "ms");
  }
  return 0;
}
