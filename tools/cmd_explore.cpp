// cmd_explore.cpp: `gorewind explore <scenario>`, the hunt for a flaky bug:
// many schedules without recording, each failing one then recorded into the
// log, failures grouped by outcome and site with the commands that replay
// and debug them.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/error.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/supervised_explore.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/run.hpp>
#include <gorewind/scenario.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// g_interrupted is set by SIGINT or SIGTERM: explore stops and reports what
// it found so far.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

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
    const std::string runs_help = "Schedules to run (random, pct: seeds from --seed-start on; default " +
                                  std::to_string(ExploreOptions{}.runs) + "; dfs: until the search is exhausted)";
    auto* runs = sub.add_option("--runs", runs_text_, runs_help)->type_name("N");
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
    // The input check runs in a child too, so a crash on the first seed
    // kills nothing.
    {
      record::ChildProcess check([&] { return guarded(ctx, [&] { return check_params(*sc, o); }); },
                                 record::ChildProcess::Config::timed(timeout_));
      const record::ChildEnd end = check.wait();
      if (end.returned() && end.code != 0) return end.code;  // bad input, said by the child
    }

    struct sigaction stop {};
    stop.sa_handler = on_interrupt;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, nullptr);
    sigaction(SIGTERM, &stop, nullptr);
    Progress progress;
    record::SupervisedExplore search;
    search.explore = o;
    search.jobs = static_cast<unsigned>(jobs);
    search.timeout = timeout_;
    search.progress = [&](std::uint64_t runs, std::uint64_t failures) { progress.update(runs, failures); };
    search.interrupted = [] { return g_interrupted != 0; };
    const record::SupervisedExploreResult found = record::explore_supervised(sc->body, search);
    progress.clear();
    o.pct_steps = found.pct_steps;
    return report(ctx, *sc, o, found);
  }

 private:
  // check_params() runs the first seed once, so that bad input seen inside
  // the program (a malformed --param) is exit 2 before any worker starts,
  // and a --param it never reads is one warning, not one per run.
  static int check_params(const Scenario& sc, const ExploreOptions& o) {
    RunOptions ro = o.run;
    ro.seed = o.seed_start;
    warn_unread_params(sc.name, o.run.params, run_checking_input(sc.body, ro));
    return 0;
  }

  // Recorded is a failing schedule as the log now holds it.
  struct Recorded {
    RunResult result;
    std::int64_t run_id = 0;
  };

  // record_found() records a failing schedule in a supervised child, by
  // its decisions (for a death, those made before it). A death whose
  // decisions were too many to keep is recorded by its seed (random, pct)
  // or reported without a run (dfs).
  Recorded record_found(const Context& ctx, const Scenario& sc, const ExploreOptions& o,
                        const record::FoundSchedule& f) {
    RunOptions ro = o.run;
    ro.seed = f.seed;
    const bool by_seed = f.died && f.schedule.empty();
    if (by_seed && o.strategy == "dfs") return Recorded{f.result, 0};
    ro.strategy = by_seed ? make_explore_strategy(o.strategy, o.depth, o.pct_steps)
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
  int report(const Context& ctx, const Scenario& sc, const ExploreOptions& o,
             const record::SupervisedExploreResult& search) {
    const std::vector<record::FoundSchedule>& found = search.failures;
    const std::uint64_t runs = search.runs;
    struct Group {
      std::uint64_t count = 0;
      std::uint64_t seed = 0;
      std::int64_t run_id = 0;
      std::string message;
    };
    std::map<std::pair<std::string, std::string>, Group> groups;  // by (outcome, site)
    if (!found.empty()) announce_migration(db_);
    for (const record::FoundSchedule& f : found) {
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
    std::snprintf(secs, sizeof secs, "%.2f", search.seconds);
    std::cout << ") in " << secs << " s";
    if (search.exhausted) std::cout << ", every schedule within the bound";
    if (search.interrupted) std::cout << ", interrupted";
    std::cout << ": " << (found.empty() ? "no failure" : std::to_string(found.size()) + " failing") << "\n";
    const std::string prog = shell_word(ctx.program);
    const std::string db = db_ == kDefaultDb ? "" : " --db " + shell_word(db_);
    for (const auto& [key, g] : groups) {
      std::cout << "\n" << key.first << (key.second.empty() ? "" : " at " + key.second)
                << (g.message.empty() ? "" : ": " + g.message) << "\n";
      std::cout << "  " << g.count << " schedule" << (g.count == 1 ? "" : "s") << "; lowest "
                << (o.strategy == "dfs" ? "schedule " : "seed ") << g.seed;
      if (g.run_id == 0) {
        // A dfs schedule that killed its worker with more decisions than
        // its tape keeps.
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
};

}  // namespace

std::unique_ptr<Command> make_explore_command() { return std::make_unique<ExploreCommand>(); }

}  // namespace gorewind::cli
