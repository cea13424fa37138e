// cmd_explore.cpp: `gorewind explore <scenario>`, the hunt for a flaky bug:
// many schedules without recording, each failing one then recorded into the
// log, failures grouped by outcome and site with the commands that replay
// and debug them.
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/error.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/run.hpp>
#include <gorewind/scenario.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// Found is a failing schedule as a worker reports it: its seed (dfs: its
// number) and its decisions; or the schedule a worker died in, with how.
struct Found {
  std::uint64_t seed = 0;
  std::vector<Choice> schedule;
  std::optional<record::ChildEnd> died;
};

// Slot is one worker's place on the Board: the schedule it runs now.
struct Slot {
  std::atomic<std::uint64_t> seed{0};     // its seed (dfs: its number)
  std::atomic<std::uint64_t> started{0};  // schedules begun, so the parent restarts its clock
  // replace: the worker left a goroutine where it stood (a stack overflow)
  // and exited to be replaced by one that goes on after its seed.
  std::atomic<bool> replace{false};
};

constexpr unsigned kMaxJobs = 256;

// Board is what the workers share with the parent (in shared memory): the
// running totals, the lowest failing seed so far, each worker's schedule,
// and pct's run length measured in a child.
struct Board {
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> lowest_failing{UINT64_MAX};
  std::atomic<std::uint64_t> pct_steps{0};
  Slot slots[kMaxJobs];

  void lower_to(std::uint64_t seed) {
    std::uint64_t low = lowest_failing.load();
    while (seed < low && !lowest_failing.compare_exchange_weak(low, seed)) {
    }
  }
};

// SharedBoard maps a Board that forked children share with this process.
class SharedBoard {
 public:
  SharedBoard() {
    void* mem = mmap(nullptr, sizeof(Board), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw Error("explore: cannot map shared memory for the workers");
    board_ = new (mem) Board;
  }
  ~SharedBoard() { munmap(board_, sizeof(Board)); }
  SharedBoard(const SharedBoard&) = delete;
  SharedBoard& operator=(const SharedBoard&) = delete;
  Board* operator->() const { return board_; }
  Board& operator*() const { return *board_; }

 private:
  Board* board_;
};

// g_interrupted is set by SIGINT or SIGTERM: explore stops and reports what
// it found so far.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

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

// write_all() writes text whole to fd, or ends the worker.
void write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) _exit(4);
    done += static_cast<std::size_t>(n);
  }
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
    sub.add_option("--timeout", timeout_text_,
                   "Wall-clock seconds one schedule may take; past it the worker is killed and the schedule "
                   "reported as a timeout (spin: no scheduling point; slow: still making events); 0: no limit")
        ->type_name("SECONDS")
        ->capture_default_str();
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
    timeout_ = parse_timeout(timeout_text_);
    SharedBoard board;
    // The parent runs no schedule of its own: the input check and pct's
    // measuring run go through a child too, so a crash on the first seed
    // kills nothing.
    {
      record::ChildProcess check(
          [&] {
            return guarded(ctx, [&] {
              check_params(*sc, o);
              if (o.strategy == "pct") board->pct_steps = measure_pct_steps(sc->body, o);
              return 0;
            });
          },
          record::ChildProcess::Config::timed(timeout_));
      const record::ChildEnd end = check.wait();
      if (end.returned() && end.code != 0) return end.code;  // bad input, said by the child
      if (o.strategy == "pct") o.pct_steps = std::max<std::uint64_t>(1, board->pct_steps.load());
    }

    struct sigaction stop {};
    stop.sa_handler = on_interrupt;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, nullptr);
    sigaction(SIGTERM, &stop, nullptr);
    Progress progress;
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t runs = 0;
    bool exhausted = false;
    std::vector<Found> found = explore_forked(*sc, o, static_cast<unsigned>(jobs), *board, progress, runs, exhausted);
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

  // worker_options() are the options of worker w of J inside shard I of N:
  // slice I + N*w of N*J, from resume_after on when a worker before it died
  // there (0: from the start).
  static ExploreOptions worker_options(const ExploreOptions& o, unsigned w, unsigned jobs, std::uint64_t resume_after) {
    ExploreOptions wo = o;
    wo.shard_index = o.shard_index + o.shard_count * w;
    wo.shard_count = o.shard_count * jobs;
    if (resume_after != 0) {
      const std::uint64_t end = o.seed_start + o.runs;
      wo.seed_start = resume_after + wo.shard_count;
      wo.shard_index = 0;
      wo.runs = o.runs == 0 ? 0 : (end > wo.seed_start ? end - wo.seed_start : 0);
    }
    return wo;
  }

  // start_worker() forks worker w: it explores its slice with
  // explore(), publishing each schedule's seed on the board before running
  // it and writing each failure to its pipe as soon as it is found.
  std::unique_ptr<record::ChildProcess> start_worker(const Scenario& sc, const ExploreOptions& wo, Board& board,
                                                     unsigned w, int& fd) {
    int p[2];
    if (pipe(p) != 0) throw Error("explore: cannot create a pipe for a worker");
    const bool stop_early = !wo.keep_going && wo.strategy != "dfs";
    auto child = std::make_unique<record::ChildProcess>(
        [&, p] {
          close(p[0]);
          ExploreOptions mine = wo;
          Slot& slot = board.slots[w];
          std::uint64_t reported = 0;
          mine.progress = [&](std::uint64_t, std::uint64_t f) {
            board.runs.fetch_add(1, std::memory_order_relaxed);
            if (f > reported) board.failures.fetch_add(f - reported, std::memory_order_relaxed);
            reported = f;
          };
          mine.proceed = [&](std::uint64_t seed) {
            if (stop_early && seed >= board.lowest_failing.load()) return false;
            slot.seed.store(seed);
            slot.started.fetch_add(1);
            return true;
          };
          mine.on_failure = [&](const ExploreFailure& f) {
            board.lower_to(f.seed);
            write_all(p[1], encode({f.seed, f.schedule, std::nullopt}));
            // An abandoned goroutine's stack is never reused: a fresh
            // process goes on instead (dfs cannot resume its search).
            if (f.result.abandoned && wo.keep_going && wo.strategy != "dfs") {
              board.runs.fetch_add(1);  // as progress would have counted it
              board.failures.fetch_add(1);
              slot.replace.store(true);
              _exit(0);
            }
          };
          const ExploreResult r = explore(sc.body, mine);
          if (r.exhausted) write_all(p[1], "exhausted\n");
          // A goroutine left where it stood keeps its stack: such a worker
          // is better replaced, which its ending does.
          return 0;
        },
        record::ChildProcess::Config::timed(timeout_));
    close(p[1]);
    fd = p[0];
    return child;
  }

  // explore_forked() runs the search in J supervised worker processes,
  // forked before any database connection or thread exists. Each explores
  // one slice; without --keep-going all stop once a lower seed than theirs
  // has failed, so the lowest failing seed is found whichever worker gets
  // there first. A worker that dies (a crash, a spin past --timeout, an
  // exit()) is reported with the seed it was running and, with
  // --keep-going, replaced by one that goes on after that seed.
  std::vector<Found> explore_forked(const Scenario& sc, const ExploreOptions& o, unsigned jobs, Board& board,
                                    Progress& progress, std::uint64_t& runs, bool& exhausted) {
    struct Worker {
      std::unique_ptr<record::ChildProcess> child;
      int fd = -1;
      std::string text;
      std::uint64_t started = 0;
      bool exhausted = false;
    };
    std::vector<Worker> workers(jobs);
    for (unsigned w = 0; w < jobs; ++w)
      workers[w].child = start_worker(sc, worker_options(o, w, jobs, 0), board, w, workers[w].fd);
    std::vector<Found> out;
    exhausted = o.strategy == "dfs";
    const auto start = std::chrono::steady_clock::now();
    // take() reads what a worker has written: failures, one a line, and
    // "exhausted" when its slice of a dfs search ran out.
    auto take = [&](Worker& wk) {
      char buf[65536];
      const ssize_t n = read(wk.fd, buf, sizeof buf);
      if (n > 0) wk.text.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = wk.text.find('\n')) != std::string::npos; wk.text.erase(0, nl + 1)) {
        const std::string line = wk.text.substr(0, nl);
        if (line == "exhausted") wk.exhausted = true;
        else out.push_back(decode(line));
      }
      return n > 0;
    };
    for (std::size_t open = jobs; open > 0;) {
      std::vector<pollfd> pf;
      for (const Worker& wk : workers)
        if (wk.child) pf.push_back({wk.fd, POLLIN, 0});
      ::poll(pf.data(), pf.size(), 20);
      for (Worker& wk : workers)
        for (const pollfd& p : pf)
          if (p.fd == wk.fd && (p.revents & POLLIN)) take(wk);
      progress.update(board.runs.load(), board.failures.load());
      const bool out_of_time =
          o.seconds > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o.seconds;
      for (unsigned w = 0; w < jobs; ++w) {
        Worker& wk = workers[w];
        if (!wk.child) continue;
        if (const std::uint64_t s = board.slots[w].started.load(); s != wk.started) {
          wk.started = s;
          wk.child->restart_clock();
        }
        std::optional<record::ChildEnd> end = wk.child->poll(0);
        bool cut = false;
        if (!end && (out_of_time || g_interrupted)) {
          // --time and Ctrl-C cut the schedule that is running: it is
          // discarded, neither counted nor a failure.
          end = wk.child->stop();
          cut = true;
        }
        if (!end) continue;
        while (take(wk)) {
        }
        close(wk.fd);
        wk.child.reset();
        --open;
        exhausted = exhausted && wk.exhausted && !cut;
        const std::uint64_t seed = board.slots[w].seed.load();
        const bool replace = board.slots[w].replace.exchange(false);
        // A worker that Ctrl-C reached first was cut too, not a failure.
        if (!replace && (end->returned() || cut || (g_interrupted && end->outcome == Outcome::Interrupted))) continue;
        if (!replace) {
          // The worker died in the schedule it had published.
          out.push_back(Found{seed, {}, *end});
          board.lower_to(seed);
          board.failures.fetch_add(1);
          board.runs.fetch_add(1);
        }
        exhausted = false;
        if (o.keep_going && o.strategy != "dfs" && !g_interrupted) {
          wk.text.clear();
          wk.child = start_worker(sc, worker_options(o, w, jobs, seed), board, w, wk.fd);
          wk.started = board.slots[w].started.load();
          ++open;
        }
      }
    }
    interrupted_ = g_interrupted != 0;
    runs = board.runs.load();
    return out;
  }

  // Recorded is a failing schedule as the log now holds it.
  struct Recorded {
    RunResult result;
    std::int64_t run_id = 0;
  };

  // record_found() records a failing schedule in a supervised child: by
  // its decisions, or, for a schedule its worker died in, by its seed (a
  // dfs schedule a worker died in is reported, not recorded: its decisions
  // died with it).
  Recorded record_found(const Context& ctx, const Scenario& sc, const ExploreOptions& o, const Found& f) {
    RunOptions ro = o.run;
    ro.seed = f.seed;
    if (f.died && o.strategy == "dfs") return Recorded{record::fault_result(*f.died), 0};
    ro.strategy = f.died ? make_explore_strategy(o.strategy, o.depth, o.pct_steps)
                         : std::make_shared<ScriptedStrategy>(f.schedule, nullptr, o.strategy);
    const record::SupervisedRecording r = record::record_supervised(
        [&](const record::ChildRecorder& recorder) {
          return guarded(ctx, [&] {
            recorder(sc.body, ro);
            return 0;
          });
        },
        db_, record::SupervisedConfig::timed(timeout_));
    return Recorded{r.run_id != 0 ? r.result : record::fault_result(r.end), r.run_id};
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
      const Recorded r = record_found(ctx, sc, o, f);
      Group& g = groups[{std::string(to_string(r.result.outcome)), r.result.site.empty() ? "" : r.result.site.to_string()}];
      if (g.count++ == 0) {
        g.seed = f.seed;
        g.run_id = r.run_id;
        g.message = r.result.message;
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
    if (interrupted_) std::cout << ", interrupted";
    std::cout << ": " << (found.empty() ? "no failure" : std::to_string(found.size()) + " failing") << "\n";
    const std::string prog = shell_word(ctx.program);
    const std::string db = db_ == kDefaultDb ? "" : " --db " + shell_word(db_);
    for (const auto& [key, g] : groups) {
      std::cout << "\n" << key.first << (key.second.empty() ? "" : " at " + key.second)
                << (g.message.empty() ? "" : ": " + g.message) << "\n";
      std::cout << "  " << g.count << " schedule" << (g.count == 1 ? "" : "s") << "; lowest "
                << (o.strategy == "dfs" ? "schedule " : "seed ") << g.seed;
      if (g.run_id == 0) {
        // A dfs schedule that killed its worker took its decisions with it.
        std::cout << ", not recorded\n";
        continue;
      }
      std::cout << ", recorded as run " << g.run_id << "\n";
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
  std::string timeout_text_ = "10";
  double timeout_ = 0;
  bool keep_going_ = false;
  bool interrupted_ = false;
};

}  // namespace

std::unique_ptr<Command> make_explore_command() { return std::make_unique<ExploreCommand>(); }

}  // namespace gorewind::cli
