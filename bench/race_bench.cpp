// race_bench: the race detector's overhead, issue 8's figure. Runs the
// ping_pong and worker_pool scenarios with a gr::shared cell touched first,
// so that the detector is on for the whole run (every channel operation
// joins vector clocks), with RaceMode::First and with RaceMode::Off,
// alternately, and prints the ratios of the medians and of the bests. The
// same programs without any cell show what the detector costs a run that
// has none (only its null checks). First come two programs of 100,000
// goroutines with a cell: a fan-in to main, and a lock passed through every
// goroutine. Figures are reported, never asserted; on a shared machine the
// best of the rounds is the steadier figure.
//
//   race_bench [--quick] [--rounds N]
//
// Output: one line per program and setting, then the ratios:
//   <program> <setting> <median ms> <best ms> <events>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using Clock = std::chrono::steady_clock;

namespace {

struct Program {
  std::string name;
  std::map<std::string, std::string> params;
  int runs;  // per timing: worker_pool is a short run, timed over many
};

struct Timing {
  std::vector<double> ms;
  std::uint64_t events = 0;
  double median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  double best() const { return *std::min_element(ms.begin(), ms.end()); }
};

// time_runs() runs body `runs` times (seeds 1..runs, fifo) and returns the
// wall time in ms; events gets the events of the last run.
double time_runs(const std::function<void()>& body, const Program& p, gr::RaceMode mode, std::uint64_t& events) {
  const auto t0 = Clock::now();
  for (int i = 0; i < p.runs; ++i) {
    gr::RunOptions o;
    o.seed = static_cast<std::uint64_t>(i + 1);
    o.strategy = gr::make_strategy("fifo");
    o.params = p.params;
    o.races = mode;
    const gr::RunResult r = gr::run(body, o);
    if (!r.ok()) {
      std::fprintf(stderr, "race_bench: %s ended %s: %s\n", p.name.c_str(), std::string(gr::to_string(r.outcome)).c_str(),
                   r.message.c_str());
      std::exit(1);
    }
    events = r.events;
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// many_goroutines() times two programs of n goroutines with a cell, the
// detector on and off: each goroutine sends once to main (a fan-in), and
// each increments the cell under one Mutex (a lock passed through them all).
void many_goroutines(int n, int rounds) {
  auto program = [n](bool fan_in) {
    return [n, fan_in] {
      gr::shared<int> cell(0, "cell");
      gr::Mutex mu("mu");
      gr::WaitGroup wg;
      gr::chan<int> c(0, "c");
      cell.store(1);
      for (int i = 0; i < n; ++i) {
        wg.add(1);
        gr::go([&, i] {
          if (fan_in) {
            c.send(i);
          } else {
            mu.lock();
            cell.store(cell.load() + 1);
            mu.unlock();
          }
          wg.done();
        });
      }
      if (fan_in)
        for (int i = 0; i < n; ++i) c.recv();
      wg.wait();
      cell.load();
    };
  };
  for (bool fan_in : {true, false}) {
    const Program p{fan_in ? "fan_in_" + std::to_string(n) : "mutex_" + std::to_string(n), {}, 1};
    const std::function<void()> body = program(fan_in);
    Timing on, off;
    std::uint64_t warm = 0;
    time_runs(body, p, gr::RaceMode::Off, warm);  // the first run of a size fills the stack pool
    for (int r = 0; r < rounds; ++r) {
      off.ms.push_back(time_runs(body, p, gr::RaceMode::Off, off.events));
      on.ms.push_back(time_runs(body, p, gr::RaceMode::First, on.events));
    }
    std::printf("%-12s %-22s %10.2f %10.2f %8llu\n", p.name.c_str(), "cell, --races off", off.median(), off.best(),
                static_cast<unsigned long long>(off.events));
    std::printf("%-12s %-22s %10.2f %10.2f %8llu\n", p.name.c_str(), "cell, --races first", on.median(), on.best(),
                static_cast<unsigned long long>(on.events));
    std::printf("%-12s detector on/off: %.2fx (medians), %.2fx (bests)\n", p.name.c_str(), on.median() / off.median(),
                on.best() / off.best());
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int rounds = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: race_bench [--quick] [--rounds N]\n");
      return 2;
    }
  }
  const std::vector<Program> programs{
      {"ping_pong", {{"n", quick ? "10000" : "200000"}}, 1},
      {"worker_pool", {}, quick ? 200 : 5000},
  };
  std::printf("%-12s %-22s %10s %10s %8s\n", "program", "setting", "median_ms", "best_ms", "events");
  many_goroutines(quick ? 10000 : 100000, rounds);
  for (const Program& p : programs) {
    const gr::Scenario* sc = gr::find_scenario(p.name);
    if (!sc) {
      std::fprintf(stderr, "race_bench: no scenario '%s'\n", p.name.c_str());
      return 2;
    }
    const std::function<void()> bare = sc->body;
    const std::function<void()> with_cell = [body = sc->body] {
      gr::shared<int> cell(0, "cell");
      cell.store(1);  // the detector starts here, before any channel exists
      body();
    };
    // Alternate the four settings round by round, so that they share the
    // machine's noise.
    Timing cell_on, cell_off, bare_on, bare_off;
    for (int r = 0; r < rounds; ++r) {
      cell_off.ms.push_back(time_runs(with_cell, p, gr::RaceMode::Off, cell_off.events));
      cell_on.ms.push_back(time_runs(with_cell, p, gr::RaceMode::First, cell_on.events));
      bare_off.ms.push_back(time_runs(bare, p, gr::RaceMode::Off, bare_off.events));
      bare_on.ms.push_back(time_runs(bare, p, gr::RaceMode::First, bare_on.events));
    }
    auto line = [&](const char* setting, const Timing& t) {
      std::printf("%-12s %-22s %10.2f %10.2f %8llu\n", p.name.c_str(), setting, t.median(), t.best(),
                  static_cast<unsigned long long>(t.events));
    };
    line("cell, --races off", cell_off);
    line("cell, --races first", cell_on);
    line("no cell, --races off", bare_off);
    line("no cell, --races first", bare_on);
    std::printf("%-12s detector on/off: with a cell %.2fx (medians), %.2fx (bests); without one %.2fx, %.2fx\n",
                p.name.c_str(), cell_on.median() / cell_off.median(), cell_on.best() / cell_off.best(),
                bare_on.median() / bare_off.median(), bare_on.best() / bare_off.best());
  }
  return 0;
}
