// explore_bench: issue 5's exploration figures, measured through gr::explore
// on the built-in scenarios (bench/explore_run.sh runs it beside the Go ports
// in bench/go/). Figures are reported, never asserted.
//
//   explore_bench throughput [--quick]
//       schedules per second on handoff and worker_pool, 1 and 2 processes
//   explore_bench first-failure [--quick]
//       schedules to the first failure, random vs pct, over 20 starting seeds
//   explore_bench supervised [--quick]
//       schedules per second of the same search in this process
//       (gr::explore) and in supervised workers (record::explore_supervised,
//       as `gorewind explore` and catch2's isolate run it), side by side
//   explore_bench dpor [--quick]
//       schedules and traces of dpor against an unbounded dfs (cut after 60
//       s, 5 with --quick) on the soundness test's scenarios, with the
//       issue's sizes where they differ
//   explore_bench timed SCENARIO STRATEGY SECONDS
//       one line "runs failures first_failure_seconds" (-1: none), for the
//       side by side with Go
//
// Throughput forks its worker processes before any run, each exploring one
// shard of the same seed range, as `gorewind explore --jobs J` does; the
// 1-process figure forks one worker too, so the two differ only in J.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/supervised_explore.hpp>

namespace gr = gorewind;
using Clock = std::chrono::steady_clock;

namespace {

void (*body_of(const std::string& name))() {
  const gr::Scenario* s = gr::find_scenario(name);
  if (!s) {
    std::fprintf(stderr, "explore_bench: no scenario '%s'\n", name.c_str());
    std::exit(2);
  }
  return s->body;
}

gr::ExploreOptions options(const std::string& scenario, const std::string& strategy) {
  gr::ExploreOptions o;
  o.strategy = strategy;
  o.run.scenario = scenario;
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double cpu_seconds(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Timing is the whole of a measurement: its wall seconds, and the CPU
// seconds its workers used (what "per core" means on a shared machine).
struct Timing {
  double wall = 0;
  double cpu = 0;
};

// explore_jobs() explores seeds [1, runs] of scenario under random with keep_going,
// split over `jobs` forked workers, and times the whole. Each worker reports
// its schedule count through a pipe, so a lost shard shows.
Timing explore_jobs(const std::string& scenario, unsigned jobs, std::uint64_t runs) {
  auto body = body_of(scenario);
  rusage before{};
  getrusage(RUSAGE_CHILDREN, &before);
  const auto t0 = Clock::now();
  std::vector<int> pipes;
  for (unsigned i = 0; i < jobs; ++i) {
    int fd[2];
    if (pipe(fd) != 0) std::abort();
    const pid_t pid = fork();
    if (pid < 0) std::abort();
    if (pid == 0) {
      close(fd[0]);
      gr::ExploreOptions o = options(scenario, "random");
      o.runs = runs;
      o.keep_going = true;
      o.shard_index = i;
      o.shard_count = jobs;
      const std::uint64_t n = gr::explore(body, o).runs;
      _exit(write(fd[1], &n, sizeof n) == sizeof n ? 0 : 1);  // _exit: no parent's atexit work twice
    }
    close(fd[1]);
    pipes.push_back(fd[0]);
  }
  std::uint64_t total = 0;
  for (int fd : pipes) {
    std::uint64_t n = 0;
    if (read(fd, &n, sizeof n) == sizeof n) total += n;
    close(fd);
  }
  while (wait(nullptr) > 0) {
  }
  Timing t;
  t.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  rusage after{};
  getrusage(RUSAGE_CHILDREN, &after);
  t.cpu = cpu_seconds(after) - cpu_seconds(before);
  if (total != runs) {
    std::fprintf(stderr, "explore_bench: %s with %u jobs ran %llu of %llu schedules\n", scenario.c_str(), jobs,
                 static_cast<unsigned long long>(total), static_cast<unsigned long long>(runs));
    std::exit(1);
  }
  return t;
}

void throughput(bool quick) {
  struct Size {
    const char* scenario;
    std::uint64_t runs;
  };
  // Sized for a few seconds per measurement at the target rate.
  const Size sizes[] = {{"handoff", quick ? 20000u : 400000u}, {"worker_pool", quick ? 5000u : 100000u}};
  const int reps = quick ? 1 : 3;
  std::printf("%-12s | %-4s | %-9s | %-22s | %-11s | %-18s | %s\n", "scenario", "jobs", "schedules",
              "schedules/s med [best]", "per process", "per CPU-second med", "CPU us/schedule");
  std::printf("-------------+------+-----------+------------------------+-------------+--------------------+"
              "----------------\n");
  for (const Size& s : sizes) {
    for (unsigned jobs : {1u, 2u}) {
      std::vector<double> rates, per_cpu;
      for (int r = 0; r < reps; ++r) {
        const Timing t = explore_jobs(s.scenario, jobs, s.runs);
        rates.push_back(s.runs / t.wall);
        per_cpu.push_back(s.runs / t.cpu);
      }
      const double med = median(rates);
      const double cpu = median(per_cpu);
      char rate[64];
      std::snprintf(rate, sizeof rate, "%.0f [%.0f]", med, *std::max_element(rates.begin(), rates.end()));
      std::printf("%-12s | %-4u | %-9llu | %-22s | %-11.0f | %-18.0f | %.2f\n", s.scenario, jobs,
                  static_cast<unsigned long long>(s.runs), rate, med / jobs, cpu, 1e6 / cpu);
      std::fflush(stdout);
    }
  }
}

void first_failure(bool quick) {
  const int starts = quick ? 5 : 20;
  const std::uint64_t cap = quick ? 20000 : 200000;
  // Starting seeds a million apart: the 20 ranges of `cap` seeds never overlap.
  const std::uint64_t stride = 1000000;
  std::printf("%-20s | %-8s | %-8s | %-8s | %-8s | %s\n", "scenario", "strategy", "median", "min", "max", "found");
  std::printf("---------------------+----------+----------+----------+----------+------\n");
  for (const char* scenario : {"flaky_order", "dining_philosophers", "rw_recursive"}) {
    for (const char* strategy : {"random", "pct"}) {
      std::vector<double> counts;
      int found = 0;
      for (int k = 0; k < starts; ++k) {
        gr::ExploreOptions o = options(scenario, strategy);
        o.runs = cap;
        o.seed_start = 1 + k * stride;
        const gr::ExploreResult r = gr::explore(body_of(scenario), o);
        found += !r.ok();
        // A search that found nothing counts as the cap: the median stays a lower bound.
        counts.push_back(static_cast<double>(r.runs));
      }
      const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
      std::printf("%-20s | %-8s | %-8.0f | %-8.0f | %-8.0f | %d/%d\n", scenario, strategy, median(counts), *lo, *hi,
                  found, starts);
      std::fflush(stdout);
    }
  }
  std::printf("\nschedules run up to and including the first failing one, seeds 1 + k*%llu for k < %d, cap %llu\n",
              static_cast<unsigned long long>(stride), starts, static_cast<unsigned long long>(cap));
  std::printf("(pct runs one more schedule first, under random, to measure the run length; not counted)\n");
}

void timed(const std::string& scenario, const std::string& strategy, double seconds) {
  gr::ExploreOptions o = options(scenario, strategy);
  o.runs = 0;
  o.seconds = seconds;
  o.keep_going = true;
  const auto t0 = Clock::now();
  double first = -1;
  o.progress = [&](std::uint64_t, std::uint64_t failures) {
    if (failures > 0 && first < 0) first = std::chrono::duration<double>(Clock::now() - t0).count();
  };
  const gr::ExploreResult r = gr::explore(body_of(scenario), o);
  std::printf("%llu %zu %.3f\n", static_cast<unsigned long long>(r.runs), r.failures.size(), first);
}

}  // namespace

// supervised() is the price of running a search in supervised workers:
// the fork, the board, each decision on the worker's tape and each seed
// published, against the same search in this process.
void supervised(bool quick) {
  const std::uint64_t runs = quick ? 2000 : 20000;
  std::printf("%-12s %14s %16s %16s\n", "scenario", "in-process/s", "supervised J=1/s", "supervised J=2/s");
  for (const char* name : {"handoff", "worker_pool"}) {
    gr::ExploreOptions o = options(name, "random");
    o.runs = runs;
    o.keep_going = true;
    const auto rate = [&](auto&& search) {
      std::vector<double> r;
      for (int i = 0; i < 3; ++i) {
        const auto t0 = Clock::now();
        const std::uint64_t n = search();
        r.push_back(static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - t0).count());
      }
      return median(r);
    };
    const double here = rate([&] { return gr::explore(body_of(name), o).runs; });
    double jobs[2];
    for (unsigned j = 1; j <= 2; ++j) {
      gr::record::SupervisedExplore s;
      s.explore = o;
      s.jobs = j;
      jobs[j - 1] = rate([&] { return gr::record::explore_supervised(body_of(name), s).runs; });
    }
    std::printf("%-12s %14.0f %16.0f %16.0f\n", name, here, jobs[0], jobs[1]);
  }
}

// dpor() prints how many schedules dpor and an unbounded dfs run to cover
// every trace of each scenario, with Go's semantics (no drain after main
// returns), as tests/test_dpor.cpp compares them.
void dpor(bool quick) {
  struct Case {
    const char* name;
    std::map<std::string, std::string> params;
  };
  const std::vector<Case> cases = {
      {"handoff", {}},
      {"ping_pong", {{"n", "2"}}},
      {"ping_pong", {{"n", "3"}}},
      {"flaky_order", {{"setup", "1"}, {"work", "1"}}},
      {"close_twice", {}},
      {"dining_philosophers", {{"n", "2"}, {"meals", "1"}}},
      {"dining_philosophers", {{"n", "3"}, {"meals", "1"}}},
      {"rw_recursive", {}},
      {"cond_lost_wakeup", {{"jobs", "1"}, {"workers", "1"}}},
      {"select_timeout", {}},
      {"timer_race", {}},
      {"mutex_counter", {{"workers", "2"}, {"increments", "1"}}},
  };
  std::printf("| scenario | params | dpor schedules | dpor traces | dpor s | dfs schedules | dfs traces | dfs s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const Case& c : cases) {
    std::string params;
    for (const auto& [k, v] : c.params) params += (params.empty() ? "" : " ") + k + "=" + v;
    const auto search = [&](const char* strategy) {
      gr::ExploreOptions o = options(c.name, strategy);
      o.run.params = c.params;
      o.run.drain_steps = 0;
      o.run.max_steps = 2000;
      o.runs = 0;
      o.depth = std::strcmp(strategy, "dfs") == 0 ? 1000 : 0;
      o.keep_going = true;
      o.seconds = quick ? 5 : 60;
      return gr::explore(body_of(c.name), o);
    };
    const gr::ExploreResult d = search("dpor");
    const gr::ExploreResult f = search("dfs");
    const auto count = [](const gr::ExploreResult& r, std::uint64_t n) {
      return (r.exhausted ? "" : ">= ") + std::to_string(n);
    };
    std::printf("| %s | %s | %s | %s | %.2f | %s | %s | %.2f |\n", c.name, params.c_str(), count(d, d.runs).c_str(),
                count(d, d.classes).c_str(), d.seconds, count(f, f.runs).c_str(), count(f, f.classes).c_str(),
                f.seconds);
  }
}

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const bool quick = argc > 2 && std::strcmp(argv[2], "--quick") == 0;
  if (mode == "throughput") {
    throughput(quick);
  } else if (mode == "first-failure") {
    first_failure(quick);
  } else if (mode == "supervised") {
    supervised(quick);
  } else if (mode == "dpor") {
    dpor(quick);
  } else if (mode == "timed" && argc == 5) {
    timed(argv[2], argv[3], std::atof(argv[4]));
  } else {
    std::fprintf(stderr,
                 "usage: explore_bench throughput|first-failure|supervised|dpor [--quick]\n"
                 "       explore_bench timed SCENARIO STRATEGY SECONDS\n");
    return 2;
  }
  return 0;
}
