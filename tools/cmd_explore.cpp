// cmd_explore.cpp: `gorewind explore <scenario>`, the hunt for a flaky bug:
// the options, checked; the search and the recording of what it found are
// record/'s (explore_supervised, record_findings); the report prints the
// failures grouped by outcome and site with the commands that replay and
// debug them, as text or as JSON.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/dfs_strategy.hpp>
#include <gorewind/error.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/explore_findings.hpp>
#include <gorewind/record/supervised_explore.hpp>
#include <gorewind/run.hpp>
#include <gorewind/scenario.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
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
    return "Run a scenario under many schedules, group the failures by outcome and site, record the first of each";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("scenario", scenario_, "The scenario to explore (see the list command)")->required();
    const std::string runs_help = "Schedules to run (the seeded strategies: seeds from --seed-start on; default " +
                                  std::to_string(ExploreOptions{}.runs) + "; dfs and dpor: until the search is exhausted)";
    auto* runs = sub.add_option("--runs", runs_text_, runs_help)->type_name("N");
    auto* time = sub.add_option("--time", time_text_,
                                "Explore for this many seconds of wall clock instead (default: no time limit, "
                                "--runs decides)")
                     ->type_name("SECONDS");
    runs->excludes(time);
    sub.add_option("--strategy", strategy_, "Who decides the schedules: " + strategy_help(true))
        ->type_name("NAME")
        ->capture_default_str();
    const std::string depth_help = "pct, and portfolio's pct: its depth (default " + std::to_string(PctStrategy::kDefaultDepth) +
                                   "); dfs: its preemption bound (default " +
                                   std::to_string(DfsStrategy::kDefaultPreemptionBound) + ")";
    sub.add_option("--depth", depth_text_, depth_help)->type_name("D");
    sub.add_option("--until-confident", confident_text_,
                   "Stop once the estimated chance that the next schedule is of a trace class not seen yet "
                   "(Good-Turing) falls below P; needs --runs as a cap (the seeded strategies; default: none, --runs "
                   "decides)")
        ->type_name("P");
    sub.add_option("--seed-start", seed_start_text_, "The first seed")->type_name("N")->capture_default_str();
    sub.add_option("--jobs", jobs_text_, "Worker processes")->type_name("J")->capture_default_str();
    sub.add_option("--shard", shard_text_,
                   "Explore only the I-th of N slices of the search (seeds; for dfs its first decision), for a "
                   "cluster's array job (default: the whole search)")
        ->type_name("I/N");
    sub.add_option("--param", param_args_,
                   "A scenario parameter; repeat for several (default: none, the scenario's own values)")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    sub.add_option("--step-limit", step_limit_text_,
                   "A schedule that makes more events fails with step_limit (a livelock); 0: no limit")
        ->type_name("N")
        ->capture_default_str();
    sub.add_option("--races", races_text_, kRacesHelp)->type_name("MODE")->capture_default_str();
    sub.add_option("--procs", procs_text_, kProcsHelp)->type_name("N")->capture_default_str();
    sub.add_option("--cpu-cost", cpu_cost_text_, kCpuCostHelp)->type_name("NS")->capture_default_str();
    sub.add_option("--timeout", timeout_text_,
                   "Wall-clock seconds one schedule may take; past it the worker is killed and the schedule "
                   "reported as a timeout (spin: no scheduling point; slow: still making events); 0: no limit")
        ->type_name("SECONDS")
        ->capture_default_str();
    add_db_option(sub, db_);
    sub.add_flag("--keep-going", keep_going_, "Go on after the first failure (default: stop at the first)");
    sub.add_flag("--json", json_, "Print the report as one JSON object on one line (default: text)");
  }

  int run(const Context& ctx) override {
    const Scenario* sc = find_scenario(scenario_);
    if (!sc) throw UsageError("unknown scenario '" + scenario_ + "' (see '" + ctx.program + " list')");
    if (!is_strategy(strategy_, true))
      throw UsageError("--strategy: '" + strategy_ + "' is not " + strategy_names(true));
    record::SupervisedExplore search;
    ExploreOptions& o = search.explore;
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
      if (o.runs == 0 && !is_systematic(strategy_)) throw UsageError("--runs: give at least 1");
    } else if (is_systematic(strategy_)) {
      o.runs = 0;  // until exhausted
    }
    if (!confident_text_.empty()) {
      if (is_systematic(strategy_))
        throw UsageError("--until-confident: " + strategy_ + " does not sample, so it has no estimate to wait for");
      if (runs_text_.empty())
        throw UsageError("--until-confident: give --runs N too, a cap (on a large program almost every trace is new)");
      char* end = nullptr;
      o.until_confident = std::strtod(confident_text_.c_str(), &end);
      if (end == confident_text_.c_str() || *end != '\0' || !(o.until_confident > 0 && o.until_confident < 1))
        throw UsageError("--until-confident: '" + confident_text_ + "' is not a probability between 0 and 1");
    }
    if (strategy_ == "dpor") {
      if (!depth_text_.empty()) throw UsageError("--depth: dpor has no depth (it is not bounded)");
      if (!shard_text_.empty())
        throw UsageError("--shard: dpor's search is not split (its backtrack points come from every run before)");
      if (jobs_text_ != "1")
        std::cerr << ctx.program << ": dpor runs in one worker (its backtrack points come from every run before)\n";
    }
    search.jobs = static_cast<unsigned>(parse_in_range(jobs_text_, "--jobs", "a number of processes", 1, 256));
    if (!shard_text_.empty()) std::tie(o.shard_index, o.shard_count) = parse_shard(shard_text_);
    o.run.scenario = sc->name;
    o.run.params = parse_params(param_args_);
    o.run.max_steps = parse_count(step_limit_text_, "--step-limit", "a number of events");
    o.run.races = parse_races(races_text_);
    o.run.procs = parse_procs(procs_text_, o.strategy);
    o.run.cpu_cost_ns = parse_cpu_cost(cpu_cost_text_, o.run.procs);
    search.timeout = parse_timeout(timeout_text_);
    // The input check runs in a child too, so a crash on the first seed
    // kills nothing.
    {
      record::ChildProcess check([&] { return guarded(ctx, [&] { return check_params(*sc, o); }); },
                                 record::ChildProcess::Config::timed(search.timeout));
      const record::ChildEnd end = check.wait();
      if (end.returned() && end.code != 0) return end.code;  // bad input, said by the child
    }

    struct sigaction stop {};
    stop.sa_handler = on_interrupt;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, nullptr);
    sigaction(SIGTERM, &stop, nullptr);
    Progress progress;
    search.progress = [&](std::uint64_t runs, std::uint64_t failures) { progress.update(runs, failures); };
    search.interrupted = [] { return g_interrupted != 0; };
    const record::SupervisedExploreResult found = record::explore_supervised(sc->body, search);
    progress.clear();
    if (!found.failures.empty()) announce_migration(db_);
    const std::vector<record::FailureGroup> groups = record::record_findings(sc->body, search, found, db_);
    const Printed p{ctx, *sc, o, found, groups};
    if (json_)
      print_json(p);
    else
      print_text(p);
    return found.failures.empty() ? kExitOk : kExitFailed;
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

  // Printed is what the report of a search shows.
  struct Printed {
    const Context& ctx;
    const Scenario& scenario;
    const ExploreOptions& options;
    const record::SupervisedExploreResult& found;
    const std::vector<record::FailureGroup>& groups;
  };

  // depth() is the depth of a pct search or the preemption bound of a dfs
  // one, as its strategy takes it; 0 for random.
  static int depth(const ExploreOptions& o) {
    if (o.strategy == "pct") return o.depth > 0 ? o.depth : PctStrategy::kDefaultDepth;
    if (o.strategy == "dfs") return o.depth > 0 ? o.depth : DfsStrategy::kDefaultPreemptionBound;
    return 0;
  }

  // run_command() is the `run` command line that gives group g's lowest
  // schedule again; empty for a dfs search split over shards or workers,
  // whose schedule numbers count within a slice (the recorded run replays it).
  std::string run_command(const Printed& p, const record::FailureGroup& g) const {
    const ExploreOptions& o = p.options;
    if (is_systematic(o.strategy) && (o.shard_count > 1 || (o.strategy == "dfs" && jobs_text_ != "1"))) return "";
    RunCommandLine c;
    c.scenario = p.scenario.name;
    c.strategy = o.strategy;
    c.seed = g.seed;
    c.depth = o.depth;
    c.params = o.run.params;
    c.races = o.run.races;
    c.procs = o.run.procs;
    c.cpu_cost_ns = o.run.cpu_cost_ns;
    // The limits matter only to the outcomes they cause: until then the
    // schedule is the same with run's defaults.
    if (g.outcome == Outcome::StepLimit) c.step_limit = o.run.max_steps;
    if (g.outcome == Outcome::Timeout && timeout_text_ != ScenarioArgs{}.timeout_text) c.timeout_text = timeout_text_;
    return c.line(p.ctx.program);
  }

  // print_text() prints the summary line, then each group with the commands
  // that show, replay, debug and run its lowest seed.
  void print_text(const Printed& p) const {
    const ExploreOptions& o = p.options;
    const record::SupervisedExploreResult& found = p.found;
    const std::uint64_t runs = found.runs;
    std::cout << "explored " << runs << " schedule" << (runs == 1 ? "" : "s") << " of " << p.scenario.name << " ("
              << o.strategy;
    if (o.strategy == "pct") std::cout << ", depth " << depth(o);
    if (o.strategy == "dfs") std::cout << ", preemption bound " << depth(o);
    if (o.shard_count > 1) std::cout << ", shard " << o.shard_index << "/" << o.shard_count;
    std::cout << ") in " << seconds(found) << " s";
    if (found.exhausted) std::cout << (o.strategy == "dpor" ? ", every trace" : ", every schedule within the bound");
    if (found.confident) std::cout << ", confident";
    if (found.interrupted) std::cout << ", interrupted";
    std::cout << ": "
              << (found.failures.empty() ? "no failure" : std::to_string(found.failures.size()) + " failing")
              << "\n";
    std::cout << "  " << found.classes << " trace" << (found.classes == 1 ? "" : "s") << " (Mazurkiewicz classes)";
    if (found.new_class_probability)
      std::cout << "; the chance that the next schedule is of a new one: " << *found.new_class_probability
                << " (Good-Turing)";
    std::cout << "\n";
    if (found.failures.empty() && !found.interrupted)
      std::cout << "  " << no_failure_line(record::as_explore_result(found, o.strategy)) << "\n";
    std::string others;
    for (const StrategyInfo& s : builtin_strategies())
      if (s.explores && s.name != o.strategy) others += (others.empty() ? "" : "|") + std::string(s.name);
    std::cout << "  strategy " << o.strategy << (o.strategy == ExploreOptions{}.strategy ? ", the default" : "")
              << "; another: --strategy " << others << " (docs/strategies.md)\n";
    const std::string prog = shell_word(p.ctx.program);
    const std::string db = db_ == kDefaultDb ? "" : " --db " + shell_word(db_);
    for (const record::FailureGroup& g : p.groups) {
      std::cout << "\n" << to_string(g.outcome) << (g.site.empty() ? "" : " at " + g.site.to_string())
                << (g.message.empty() ? "" : ": " + g.message) << "\n";
      std::cout << "  " << g.count << " schedule" << (g.count == 1 ? "" : "s") << "; lowest "
                << (is_systematic(o.strategy) ? "schedule " : "seed ") << g.seed;
      if (g.run_id == 0) {
        std::cout << ", not recorded\n";
        continue;
      }
      std::cout << ", recorded as run " << g.run_id << "\n";
      std::cout << "  show:   " << prog << " show " << g.run_id << db << "\n";
      std::cout << "  replay: " << prog << " replay " << g.run_id << db << "\n";
      std::cout << "  debug:  " << prog << " debug " << g.run_id << db << "\n";
      const std::string run = run_command(p, g);
      if (!run.empty()) std::cout << "  run:    " << run << "\n";
    }
  }

  // print_json() prints the report as one JSON object on one line.
  void print_json(const Printed& p) const {
    const ExploreOptions& o = p.options;
    const record::SupervisedExploreResult& found = p.found;
    std::string out = "{\"scenario\":" + json_string(p.scenario.name) + ",\"params\":";
    json_params(out, o.run.params);
    out += ",\"strategy\":" + json_string(o.strategy);
    const bool has_depth = o.strategy == "pct" || o.strategy == "dfs";
    out += ",\"depth\":" + (has_depth ? std::to_string(depth(o)) : std::string("null"));
    out += ",\"shard\":{\"index\":" + std::to_string(o.shard_index) + ",\"count\":" +
           std::to_string(o.shard_count) + "}";
    out += ",\"runs\":" + std::to_string(found.runs) + ",\"seconds\":" + seconds(found);
    out += std::string(",\"exhausted\":") + (found.exhausted ? "true" : "false");
    out += std::string(",\"interrupted\":") + (found.interrupted ? "true" : "false");
    out += ",\"classes\":" + std::to_string(found.classes) + ",\"new_class_probability\":";
    if (found.new_class_probability) {
      char number[32];
      std::snprintf(number, sizeof number, "%.6g", *found.new_class_probability);
      out += number;
    } else {
      out += "null";
    }
    out += std::string(",\"confident\":") + (found.confident ? "true" : "false");
    out += ",\"failures\":" + std::to_string(found.failures.size()) + ",\"groups\":[";
    const bool dfs = is_systematic(o.strategy);
    for (std::size_t i = 0; i < p.groups.size(); ++i) {
      const record::FailureGroup& g = p.groups[i];
      out += i == 0 ? "{" : ",{";
      out += "\"outcome\":" + json_string(to_string(g.outcome)) + ",\"site\":";
      if (g.site.empty())
        out += "null";
      else
        json_site(out, g.site);
      out += ",\"message\":" + json_string(g.message) + ",\"count\":" + std::to_string(g.count);
      const std::string lowest = std::to_string(g.seed);
      out += ",\"seed\":" + (dfs ? "null" : lowest) + ",\"schedule\":" + (dfs ? lowest : "null");
      out += ",\"run\":" + (g.run_id == 0 ? std::string("null") : std::to_string(g.run_id));
      const std::string run = g.run_id == 0 ? "" : run_command(p, g);
      out += ",\"reproduce\":" + (run.empty() ? std::string("null") : json_string(run)) + "}";
    }
    std::cout << out << "]}\n";
  }

  // seconds() is the search's wall-clock time as both reports show it.
  static std::string seconds(const record::SupervisedExploreResult& found) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", found.seconds);
    return text;
  }

  std::string scenario_;
  std::string runs_text_;
  std::string time_text_;
  std::string strategy_ = ExploreOptions{}.strategy;
  std::string depth_text_;
  std::string confident_text_;
  std::string seed_start_text_ = "1";
  std::string jobs_text_ = "1";
  std::string shard_text_;
  std::vector<std::string> param_args_;
  std::string step_limit_text_ = "1000000";
  std::string races_text_ = "first";
  std::string procs_text_ = "0";
  std::string cpu_cost_text_ = "0";
  std::string db_ = kDefaultDb;
  std::string timeout_text_ = "10";
  bool keep_going_ = false;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_explore_command() { return std::make_unique<ExploreCommand>(); }

}  // namespace gorewind::cli
