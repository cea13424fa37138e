// scenario_run.hpp: what `run` and `record` share: the options that choose a
// scenario and its schedule, and running it once with observers attached.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/observer.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/run.hpp>
#include <gorewind/scenario.hpp>

#include "cli.hpp"

namespace gorewind::cli {

// ScenarioArgs are the options of one scenario run, as typed: a scenario
// positional, --seed, --strategy, --depth, --param (repeated), --step-limit,
// --timeout, --races, --procs and --cpu-cost. They are checked when the run
// starts.
struct ScenarioArgs {
  std::string scenario;
  std::string seed_text = "1";
  std::string strategy = "random";
  std::string depth_text;
  std::vector<std::string> param_args;
  std::string step_limit_text = "0";
  std::string timeout_text = "10";
  std::string races = "first";
  std::string procs_text = "0";
  std::string cpu_cost_text = "0";

  // add_to() declares the options on a subcommand.
  void add_to(CLI::App& sub);
};

// ScenarioRun is a finished run and what a report of it needs.
struct ScenarioRun {
  RunResult result;
  std::string scenario;
  std::map<std::string, std::string> params;
  std::string reproduce;  // the `run` command line that gives the same schedule
};

// Runner runs a program with options: gorewind::run(), or a recording of it.
using Runner = std::function<RunResult(const std::function<void()>&, const RunOptions&)>;

// RunCommandLine is a `run` command line: line() spells it, with each option
// that differs from run's default, so that running it gives the same
// schedule again. The one description of that line, for run's own reports
// and explore's.
struct RunCommandLine {
  std::string scenario;
  std::string strategy = "random";
  std::uint64_t seed = 1;
  int depth = 0;  // pct: its depth; dfs: its preemption bound; 0: the default
  std::map<std::string, std::string> params;
  std::uint64_t step_limit = 0;
  std::string timeout_text;  // empty: the default
  RaceMode races = RaceMode::First;
  unsigned procs = 0;  // RunOptions::procs
  std::int64_t cpu_cost_ns = 0;  // RunOptions::cpu_cost_ns

  std::string line(const std::string& program) const;
};

// PreparedRun is a checked ScenarioArgs: the scenario, the options of its
// run (without observers; no in-process timeout: the supervisor keeps it;
// for pct, the run length measured as explore measures it), the
// supervisor's timeout and the `run` command line that gives the same
// schedule. A dfs or dpor run is the search's seed-th schedule:
// search_depth is dfs's preemption bound.
struct PreparedRun {
  const Scenario* scenario = nullptr;
  RunOptions options;
  double timeout = 0;
  std::string strategy;
  int search_depth = 0;
  std::string reproduce;
};

// kProcsHelp is --procs's help, and parse_procs() reads it: 0 (gorewind's
// own model) to kMaxProcs, and no more than strategy steers (a known
// name). kCpuCostHelp is --cpu-cost's, and parse_cpu_cost() reads it,
// refusing a cost without procs.
extern const char* const kProcsHelp;
extern const char* const kCpuCostHelp;
unsigned parse_procs(const std::string& text, const std::string& strategy);
std::int64_t parse_cpu_cost(const std::string& text, unsigned procs);

// prepare_run() checks args; bad input (an unknown scenario, a malformed
// option) throws UsageError.
PreparedRun prepare_run(const ScenarioArgs& args, const Context& ctx);

// run_prepared() runs the scenario once with observers, through runner
// (gorewind::run() when empty), in this process. A gorewind::Error escaping
// the program (such as `--param n=abc`) throws UsageError.
ScenarioRun run_prepared(const PreparedRun& p, const std::vector<Observer*>& observers, const Runner& runner = {});

// died() is the report of a run whose process died under it.
ScenarioRun died(const PreparedRun& p, const record::ChildEnd& end);

// run_checking_input() runs fn with options through runner (gorewind::run()
// when empty); a gorewind::Error escaping the program (bad input, such as
// `--param n=abc` seen by param_int()) becomes UsageError.
RunResult run_checking_input(const std::function<void()>& fn, const RunOptions& options, const Runner& runner = {});

// warn_unread_params() says in one line on stderr which keys of params
// the run (result) of scenario never looked up, most likely typos, and
// which keys it does look up. The run stands as it is: a parameter nobody
// reads changes nothing in it.
void warn_unread_params(std::string_view scenario, const std::map<std::string, std::string>& params,
                        const RunResult& result);

// parse_params() turns --param KEY=VALUE arguments into a map; throws
// UsageError for a missing '=', an empty key or a key given twice.
std::map<std::string, std::string> parse_params(const std::vector<std::string>& args);

// shell_word() quotes s for a POSIX shell when it needs it.
std::string shell_word(const std::string& s);

// strategy_help() describes the built-in strategies for --strategy's help
// (only those explore can search with, when exploring).
std::string strategy_help(bool exploring = false);

// kRacesHelp is the help of --races, which run, record and explore share.
inline constexpr const char* kRacesHelp =
    "The data race detector on gr::shared cells: first (the first race ends the run, outcome race), all (the run "
    "goes on and reports every distinct racing pair; outcome race if there was one) or off";

// parse_races() reads --races; throws UsageError for anything but first, all or off.
RaceMode parse_races(const std::string& text);

// parse_seed() reads --seed: decimal digits only, up to 2^64-1 (CLI11
// would take "-1" as 2^64-1 and "010" as octal 8; a seed must mean what it
// says); throws UsageError for anything else.
std::uint64_t parse_seed(const std::string& text);

// parse_timeout() reads --timeout: seconds of wall clock, 0 for none;
// throws UsageError for anything else.
double parse_timeout(const std::string& text);

// kAttemptTimeoutHelp is the help of --timeout of the commands that run a
// recorded failure again and again to shrink or bisect it (minimize, bisect).
inline constexpr const char* kAttemptTimeoutHelp =
    "End an attempt (outcome timeout) after SECONDS of wall clock; a run that ended in a timeout is probed for "
    "min(SECONDS, 1) per attempt; 0: no limit";

// attempt_timeout() is the wall-clock limit of each such attempt at a run
// that ended with outcome, given --timeout's seconds: a timeout, a spin that
// never ends on its own, is probed for at most a second, since past that no
// event will come.
double attempt_timeout(std::string_view outcome, double timeout);

// parse_count() reads a decimal count given to option: digits only, up to
// 2^64-1 (CLI11 would take "-1" as 2^64-1 and "010" as octal). Throws
// UsageError "OPTION: 'TEXT' is not WHAT".
std::uint64_t parse_count(const std::string& text, std::string_view option, std::string_view what);

}  // namespace gorewind::cli
