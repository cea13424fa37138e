// scale_bench: how the runtime's costs grow with the number of goroutines
// (issue 21). Figures are reported, never asserted.
//
//   scale_bench leak [--quick]
//       a whole run whose main returns with N goroutines blocked forever
//       (outcome leak), for N = 8,192 and 65,536, and the leak report alone
//       (the state capture and the wait-for graph the report is built from),
//       with the ratio of the large to the small: linear is 8x
//
// Half the goroutines block each on a channel of its own, half on one shared
// channel, so that a report that looks anything up by scanning shows. (Not
// on a WaitGroup: anyone may end that wait, so each such goroutine's node
// lists every other goroutine, and the graph itself grows as N squared.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct LeakTiming {
  double whole = 0;   // seconds, gr::run from start to end
  double report = 0;  // seconds, the report's capture and graph
  std::size_t blocked = 0;
};

// leak_run() runs a main that leaves n goroutines blocked and times, inside
// it, what the leak report computes for them.
LeakTiming leak_run(int n) {
  LeakTiming t;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  const auto t0 = Clock::now();
  const gr::RunResult r = gr::run(
      [&] {
        gr::chan<int> shared;
        for (int i = 0; i < n; ++i) {
          if (i % 2 == 0) {
            gr::go([c = gr::chan<int>()] { (void)c.recv(); });
          } else {
            gr::go([shared] { (void)shared.recv(); });
          }
        }
        gr::yield();  // fifo: every goroutine runs and blocks
        const auto r0 = Clock::now();
        const gr::WaitForGraph g = gr::wait_for_graph(gr::capture_state());
        t.report = seconds_since(r0);
        if (g.blocked.size() != static_cast<std::size_t>(n)) std::abort();
      },
      o);
  t.whole = seconds_since(t0);
  t.blocked = r.blocked.size();
  if (r.outcome != gr::Outcome::Leak || t.blocked != static_cast<std::size_t>(n)) {
    std::fprintf(stderr, "scale_bench: expected %d goroutines leaked, got %zu (%s)\n", n, t.blocked,
                 std::string(gr::to_string(r.outcome)).c_str());
    std::exit(1);
  }
  return t;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void leak(bool quick) {
  const int small = 8192, large = 65536;
  const int reps = quick ? 1 : 3;
  std::vector<double> whole[2], report[2];
  for (int r = 0; r < reps; ++r) {
    for (int k = 0; k < 2; ++k) {
      const LeakTiming t = leak_run(k == 0 ? small : large);
      whole[k].push_back(t.whole);
      report[k].push_back(t.report);
    }
  }
  std::printf("%-22s | %-12s | %-12s | %s\n", "leaked goroutines", "8192", "65536", "ratio (linear: 8x)");
  std::printf("-----------------------+--------------+--------------+-------------------\n");
  const double w0 = median(whole[0]), w1 = median(whole[1]);
  const double r0 = median(report[0]), r1 = median(report[1]);
  std::printf("%-22s | %-12.4f | %-12.4f | %.1fx\n", "whole run, s", w0, w1, w1 / w0);
  std::printf("%-22s | %-12.4f | %-12.4f | %.1fx\n", "report alone, s", r0, r1, r1 / r0);
  std::printf("%-22s | %-12.2f | %-12.2f |\n", "report, us/goroutine", 1e6 * r0 / small, 1e6 * r1 / large);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const bool quick = argc > 2 && std::strcmp(argv[2], "--quick") == 0;
  if (mode == "leak") {
    leak(quick);
    return 0;
  }
  std::fprintf(stderr, "usage: scale_bench leak [--quick]\n");
  return 2;
}
