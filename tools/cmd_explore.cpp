// cmd_explore.cpp: `gorewind explore <scenario>`, the hunt for a flaky bug:
// many schedules without recording, each failing one then recorded into the
// log, failures grouped by outcome and site with the commands that replay
// and debug them.
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/error.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/run.hpp>
#include <gorewind/scenario.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// Found is a failing schedule as a worker reports it: its seed (dfs: its
// number) and its decisions.
struct Found {
  std::uint64_t seed = 0;
  std::vector<Choice> schedule;
};

// Totals are the counters workers share with the parent (in shared memory).
struct Totals {
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> lowest_failing{UINT64_MAX};
};

// encode() and decode() carry a Found over a worker's pipe, one line each.
std::string encode(const Found& f) {
  std::string line = std::to_string(f.seed) + " " + std::to_string(f.schedule.size());
  for (const Choice& c : f.schedule)
    line += " " + std::to_string(c.kind) + " " + std::to_string(c.options) + " " + std::to_string(c.chosen);
  return line + "\n";
}

Found decode(const std::string& line) {
  std::istringstream in(line);
  Found f;
  std::size_t n = 0;
  in >> f.seed >> n;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned kind = 0;
    Choice c;
    in >> kind >> c.options >> c.chosen;
    c.kind = static_cast<std::uint8_t>(kind);
    f.schedule.push_back(c);
  }
  if (!in) throw Error("explore: a worker sent a malformed report");
  return f;
}

// Progress draws the live line on stderr when stderr is a terminal.
class Progress {
 public:
  Progress() : on_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  void update(std::uint64_t runs, std::uint64_t failures, bool force = false) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\rexplore: %llu runs, %.0f runs/s, %llu failure%s, %.1f s   ",
                 static_cast<unsigned long long>(runs), s > 0 ? static_cast<double>(runs) / s : 0.0,
                 static_cast<unsigned long long>(failures), failures == 1 ? "" : "s", s);
  }
  void clear() {
    if (on_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
};

// parse_in_range() reads a decimal count from lo to hi given to option.
std::uint64_t parse_in_range(const std::string& text, std::string_view option, const std::string& what,
                             std::uint64_t lo, std::uint64_t hi) {
  const std::string expected = what + " from " + std::to_string(lo) + " to " + std::to_string(hi);
  const std::uint64_t n = parse_count(text, option, expected);
  if (n < lo || n > hi) throw UsageError(std::string(option) + ": '" + text + "' is not " + expected);
  return n;
}

// parse_shard() reads --shard I/N.
std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const std::string what = "I/N with 0 <= I < N (such as 0/4)";
  if (slash == std::string::npos) throw UsageError("--shard: '" + text + "' is not " + what);
  const std::uint64_t i = parse_count(text.substr(0, slash), "--shard", what);
  const std::uint64_t n = parse_count(text.substr(slash + 1), "--shard", what);
  if (n == 0 || i >= n || n > 1000000) throw UsageError("--shard: '" + text + "' is not " + what);
  return {static_cast<unsigned>(i), static_cast<unsigned>(n)};
}

class ExploreCommand final : public Command {
 public:
  std::string_view name() const override { return "explore"; }
  std::string_view help() const override {
    return "Run a scenario under many schedules, record each failing one, group the failures";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("scenario", scenario_, "The scenario to explore (see the list command)")->required();
    auto* runs = sub.add_option("--runs", runs_text_, "Schedules to run (random, pct: seeds from --seed-start on)")
                     ->type_name("N");
    auto* time = sub.add_option("--time", time_text_, "Explore for this many seconds of wall clock instead")
                     ->type_name("SECONDS");
    runs->excludes(time);
    sub.add_option("--strategy", strategy_, "random, pct (probabilistic concurrency testing) or dfs (exhaustive)")
        ->type_name("NAME")
        ->capture_default_str();
    sub.add_option("--depth", depth_text_, "pct: its depth (default 3); dfs: its preemption bound (default 2)")
        ->type_name("D");
    sub.add_option("--seed-start", seed_start_text_, "The first seed")->type_name("N")->capture_default_str();
    sub.add_option("--jobs", jobs_text_, "Worker processes")->type_name("J")->capture_default_str();
    sub.add_option("--shard", shard_text_,
                   "Explore only the I-th of N slices of the search (seeds; for dfs its first decision), for a "
                   "cluster's array job")
        ->type_name("I/N");
    sub.add_option("--param", param_args_, "A scenario parameter; repeat for several")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    sub.add_option("--step-limit", step_limit_text_,
                   "A schedule that makes more events fails with step_limit (a livelock); 0: no limit")
        ->type_name("N")
        ->capture_default_str();
    sub.add_option("--races", races_text_, kRacesHelp)->type_name("MODE")->capture_default_str();
    add_db_option(sub, db_);
    sub.add_flag("--keep-going", keep_going_, "Go on after the first failure");
  }

  int run(const Context& ctx) override {
    const Scenario* sc = find_scenario(scenario_);
    if (!sc) throw UsageError("unknown scenario '" + scenario_ + "' (see '" + ctx.program + " list')");
    if (strategy_ != "random" && strategy_ != "pct" && strategy_ != "dfs")
      throw UsageError("--strategy: '" + strategy_ + "' is not random, pct or dfs");
    ExploreOptions o;
    o.strategy = strategy_;
    o.keep_going = keep_going_;
    o.seed_start = parse_count(seed_start_text_, "--seed-start", "a seed");
    if (!depth_text_.empty()) o.depth = static_cast<int>(parse_in_range(depth_text_, "--depth", "a depth", 1, 64));
    if (!time_text_.empty()) {
      o.runs = 0;
      o.seconds = static_cast<double>(parse_count(time_text_, "--time", "a number of seconds"));
      if (o.seconds <= 0) throw UsageError("--time: give at least 1 second");
    } else if (!runs_text_.empty()) {
      o.runs = parse_count(runs_text_, "--runs", "a number of schedules");
      if (o.runs == 0 && strategy_ != "dfs") throw UsageError("--runs: give at least 1");
    } else if (strategy_ == "dfs") {
      o.runs = 0;  // until exhausted
    }
    const std::uint64_t jobs = parse_in_range(jobs_text_, "--jobs", "a number of processes", 1, 256);
    if (!shard_text_.empty()) std::tie(o.shard_index, o.shard_count) = parse_shard(shard_text_);
    o.run.scenario = sc->name;
    o.run.params = parse_params(param_args_);
    o.run.max_steps = parse_count(step_limit_text_, "--step-limit", "a number of events");
    o.run.races = parse_races(races_text_);
    check_params(*sc, o);
    if (o.strategy == "pct") o.pct_steps = measure_pct_steps(sc->body, o);

    Progress progress;
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t runs = 0;
    bool exhausted = false;
    std::vector<Found> found = jobs == 1 ? explore_here(*sc, o, progress, runs, exhausted)
                                         : explore_forked(*sc, o, static_cast<unsigned>(jobs), progress, runs, exhausted);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.clear();
    // Lowest seed first, whichever worker found it; without --keep-going
    // only that one, as a single process would report.
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.seed < b.seed; });
    if (!o.keep_going && found.size() > 1) found.resize(1);
    return report(ctx, *sc, o, found, runs, exhausted, seconds);
  }

 private:
  // check_params() runs the first seed once, so that bad input seen inside
  // the program (a malformed --param) is exit 2 before any worker starts,
  // and a --param it never reads is one warning, not one per run.
  static void check_params(const Scenario& sc, const ExploreOptions& o) {
    RunOptions ro = o.run;
    ro.seed = o.seed_start;
    warn_unread_params(sc.name, o.run.params, run_checking_input(sc.body, ro));
  }

  std::vector<Found> explore_here(const Scenario& sc, ExploreOptions o, Progress& progress, std::uint64_t& runs,
                                  bool& exhausted) {
    o.progress = [&](std::uint64_t n, std::uint64_t f) { progress.update(n, f); };
    const ExploreResult r = explore(sc.body, o);
    runs = r.runs;
    exhausted = r.exhausted;
    std::vector<Found> out;
    for (const ExploreFailure& f : r.failures) out.push_back({f.seed, f.schedule});
    return out;
  }

  // explore_forked() splits the search among worker processes, forked before
  // any database connection or thread exists. Each explores one slice;
  // without --keep-going all stop once a lower seed than theirs has failed,
  // so the lowest failing seed is found whichever worker gets there first.
  std::vector<Found> explore_forked(const Scenario& sc, const ExploreOptions& o, unsigned jobs, Progress& progress,
                                    std::uint64_t& runs, bool& exhausted) {
    void* mem = mmap(nullptr, sizeof(Totals), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw Error("explore: cannot map shared memory for the workers");
    auto* totals = new (mem) Totals;
    const pid_t parent = getpid();
    std::vector<pid_t> pids;
    std::vector<int> fds;
    for (unsigned w = 0; w < jobs; ++w) {
      int p[2];
      if (pipe(p) != 0) throw Error("explore: cannot create a pipe for a worker");
      const pid_t pid = fork();
      if (pid < 0) throw Error("explore: cannot fork a worker");
      if (pid == 0) {
        close(p[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // die with the parent
        if (getppid() != parent) _exit(3);
        ExploreOptions wo = o;
        // Worker w of J inside shard I of N is slice I + N*w of N*J.
        wo.shard_index = o.shard_index + o.shard_count * w;
        wo.shard_count = o.shard_count * jobs;
        std::uint64_t reported = 0;
        wo.progress = [&](std::uint64_t, std::uint64_t f) {
          totals->runs.fetch_add(1, std::memory_order_relaxed);
          if (f > reported) totals->failures.fetch_add(f - reported, std::memory_order_relaxed);
          reported = f;
        };
        if (!o.keep_going && o.strategy != "dfs")
          wo.proceed = [&](std::uint64_t seed) { return seed < totals->lowest_failing.load(); };
        int code = 0;
        try {
          const ExploreResult r = explore(sc.body, wo);
          std::string out = r.exhausted ? "exhausted\n" : "\n";
          for (const ExploreFailure& f : r.failures) {
            std::uint64_t low = totals->lowest_failing.load();
            while (f.seed < low && !totals->lowest_failing.compare_exchange_weak(low, f.seed)) {
            }
            out += encode({f.seed, f.schedule});
          }
          for (std::size_t done = 0; done < out.size();) {
            const ssize_t n = write(p[1], out.data() + done, out.size() - done);
            if (n <= 0) _exit(4);
            done += static_cast<std::size_t>(n);
          }
        } catch (...) {
          code = 5;
        }
        _exit(code);
      }
      close(p[1]);
      pids.push_back(pid);
      fds.push_back(p[0]);
    }
    // Read every worker's report while drawing the progress line.
    std::vector<std::string> text(jobs);
    std::size_t open = jobs;
    while (open > 0) {
      std::vector<pollfd> pf;
      for (unsigned w = 0; w < jobs; ++w)
        if (fds[w] >= 0) pf.push_back({fds[w], POLLIN, 0});
      poll(pf.data(), pf.size(), 100);
      progress.update(totals->runs.load(), totals->failures.load());
      for (const pollfd& p : pf) {
        if (!(p.revents & (POLLIN | POLLHUP))) continue;
        char buf[65536];
        const ssize_t n = read(p.fd, buf, sizeof buf);
        const unsigned w = static_cast<unsigned>(std::find(fds.begin(), fds.end(), p.fd) - fds.begin());
        if (n > 0) {
          text[w].append(buf, static_cast<std::size_t>(n));
        } else {
          close(p.fd);
          fds[w] = -1;
          --open;
        }
      }
    }
    bool failed_worker = false;
    for (pid_t pid : pids) {
      int status = 0;
      waitpid(pid, &status, 0);
      failed_worker |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    runs = totals->runs.load();
    munmap(mem, sizeof(Totals));
    if (failed_worker) throw Error("explore: a worker process failed");
    std::vector<Found> out;
    exhausted = o.strategy == "dfs";
    for (const std::string& t : text) {
      std::istringstream in(t);
      std::string line;
      std::getline(in, line);
      exhausted = exhausted && line == "exhausted";
      while (std::getline(in, line)) out.push_back(decode(line));
    }
    return out;
  }

  // report() records each failure, then prints the groups.
  int report(const Context& ctx, const Scenario& sc, const ExploreOptions& o, const std::vector<Found>& found,
             std::uint64_t runs, bool exhausted, double seconds) {
    struct Group {
      std::uint64_t count = 0;
      std::uint64_t seed = 0;
      std::int64_t run_id = 0;
      std::string message;
    };
    std::map<std::pair<std::string, std::string>, Group> groups;  // by (outcome, site)
    if (!found.empty()) announce_migration(db_);
    for (const Found& f : found) {
      RunOptions ro = o.run;
      ro.seed = f.seed;
      ro.strategy = std::make_shared<ScriptedStrategy>(f.schedule, nullptr, o.strategy);
      const record::RecordResult recorded = record::record_run(sc.body, ro, db_);
      const RunResult& r = recorded.result;
      const record::RecordedRun& saved = recorded.recorded;
      Group& g = groups[{std::string(to_string(r.outcome)), r.site.empty() ? "" : r.site.to_string()}];
      if (g.count++ == 0) {
        g.seed = f.seed;
        g.run_id = saved.id;
        g.message = r.message;
      }
    }
    std::cout << "explored " << runs << " schedule" << (runs == 1 ? "" : "s") << " of " << sc.name << " ("
              << o.strategy;
    if (o.strategy == "pct") std::cout << ", depth " << (o.depth > 0 ? o.depth : 3);
    if (o.strategy == "dfs") std::cout << ", preemption bound " << (o.depth > 0 ? o.depth : 2);
    if (o.shard_count > 1) std::cout << ", shard " << o.shard_index << "/" << o.shard_count;
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", seconds);
    std::cout << ") in " << secs << " s";
    if (exhausted) std::cout << ", every schedule within the bound";
    std::cout << ": " << (found.empty() ? "no failure" : std::to_string(found.size()) + " failing") << "\n";
    const std::string prog = shell_word(ctx.program);
    const std::string db = db_ == kDefaultDb ? "" : " --db " + shell_word(db_);
    for (const auto& [key, g] : groups) {
      std::cout << "\n" << key.first << (key.second.empty() ? "" : " at " + key.second)
                << (g.message.empty() ? "" : ": " + g.message) << "\n";
      std::cout << "  " << g.count << " schedule" << (g.count == 1 ? "" : "s") << "; lowest "
                << (o.strategy == "dfs" ? "schedule " : "seed ") << g.seed << ", recorded as run " << g.run_id
                << "\n";
      std::cout << "  show:   " << prog << " show " << g.run_id << db << "\n";
      std::cout << "  replay: " << prog << " replay " << g.run_id << db << "\n";
      std::cout << "  debug:  " << prog << " debug " << g.run_id << db << "\n";
      if (o.strategy == "random") {
        std::cout << "  run:    " << prog << " run " << shell_word(sc.name) << " --seed " << g.seed
                  << " --strategy random";
        for (const auto& [k, v] : o.run.params) std::cout << " --param " << shell_word(k + "=" + v);
        if (o.run.races != RaceMode::First) std::cout << " --races " << to_string(o.run.races);
        std::cout << "\n";
      }
    }
    return found.empty() ? kExitOk : kExitFailed;
  }

  std::string scenario_;
  std::string runs_text_;
  std::string time_text_;
  std::string strategy_ = "random";
  std::string depth_text_;
  std::string seed_start_text_ = "1";
  std::string jobs_text_ = "1";
  std::string shard_text_;
  std::vector<std::string> param_args_;
  std::string step_limit_text_ = "1000000";
  std::string races_text_ = "first";
  std::string db_ = kDefaultDb;
  bool keep_going_ = false;
};

}  // namespace

std::unique_ptr<Command> make_explore_command() { return std::make_unique<ExploreCommand>(); }

}  // namespace gorewind::cli
