// scenario_run.cpp: the options `run` and `record` share, checked, and one
// run of a scenario with them.
#include "scenario_run.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <gorewind/decimal.hpp>
#include <gorewind/dfs_strategy.hpp>
#include <gorewind/error.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/pct_strategy.hpp>
#include <gorewind/record/supervised_explore.hpp>
#include <gorewind/run.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind::cli {
namespace {

// parse_step_limit() reads --step-limit: a decimal count, 0 for none.
std::uint64_t parse_step_limit(const std::string& text) {
  return parse_count(text, "--step-limit", "a number of events (a decimal integer, 0 for no limit)");
}

}  // namespace

std::uint64_t parse_seed(const std::string& text) {
  return parse_count(text, "--seed", "a seed (a decimal integer from 0 to 18446744073709551615)");
}

double parse_timeout(const std::string& text) {
  char* end = nullptr;
  const double s = text.empty() ? -1 : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(s) || s < 0 || s > 1e9 ||
      text.find_first_not_of("0123456789.") != std::string::npos)
    throw UsageError("--timeout: '" + text + "' is not a number of seconds (such as 10 or 0.5; 0 for none)");
  return s;
}

double attempt_timeout(std::string_view outcome, double timeout) {
  return outcome == "timeout" && (timeout == 0 || timeout > 1) ? 1 : timeout;
}

// parse_params() turns the --param KEY=VALUE arguments into a map. The key
// must be non-empty and given once; the value may be empty.
std::map<std::string, std::string> parse_params(const std::vector<std::string>& args) {
  std::map<std::string, std::string> params;
  for (const std::string& a : args) {
    const auto eq = a.find('=');
    if (eq == std::string::npos) throw UsageError("--param: '" + a + "' is not KEY=VALUE");
    if (eq == 0) throw UsageError("--param: '" + a + "' has an empty key");
    std::string key = a.substr(0, eq);
    if (params.count(key) != 0) throw UsageError("--param: '" + key + "' given twice");
    params.emplace(std::move(key), a.substr(eq + 1));
  }
  return params;
}

// shell_word() quotes s for a POSIX shell when it needs it.
std::string shell_word(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                       "0123456789_-./=:,+@%") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void warn_unread_params(std::string_view scenario, const std::map<std::string, std::string>& params,
                        const RunResult& result) {
  std::string unread;
  std::size_t count = 0;
  for (const auto& kv : params) {
    if (result.params_read.count(kv.first) != 0) continue;
    unread += (unread.empty() ? "" : ", ") + kv.first;
    ++count;
  }
  if (count == 0) return;
  std::string read;
  for (const std::string& k : result.params_read) read += (read.empty() ? "" : ", ") + k;
  std::cerr << "gorewind: warning: --param " << unread << ": " << scenario << " never read "
            << (count == 1 ? "it" : "them") << " (" << (read.empty() ? "it reads no parameters" : "it reads " + read)
            << ")\n";
}

RunResult run_checking_input(const std::function<void()>& fn, const RunOptions& options, const Runner& runner) {
  // A gorewind::Error escaping the program is bad input, not a bug the run
  // found (param_int() on `--param n=abc`): exit 2 with its message rather
  // than report the panic the runtime makes of it.
  std::string bad_input;
  auto body = [&bad_input, &fn] {
    try {
      fn();
    } catch (const Error& e) {
      bad_input = e.what();
      throw;
    }
  };
  RunResult r = runner ? runner(body, options) : gorewind::run(body, options);
  if (!bad_input.empty()) throw UsageError(bad_input);
  return r;
}

RaceMode parse_races(const std::string& text) {
  if (std::optional<RaceMode> m = parse_race_mode(text)) return *m;
  throw UsageError("--races: '" + text + "' is not first, all or off");
}

const char* const kProcsHelp =
    "Run on Go's scheduler with GOMAXPROCS=N (docs/gmp.md): a goroutine runs until it blocks or yields, and Go's "
    "run queues (runnext, the local and global queues) decide who runs next; 0: gorewind's own model, where the "
    "strategy may switch at every scheduling point";

const char* const kCpuCostHelp =
    "Under --procs, the virtual CPU time in nanoseconds each event costs its P (docs/gmp.md); 0: only gr::work "
    "and timers move the clocks";

unsigned parse_procs(const std::string& text, const std::string& strategy) {
  const std::optional<std::uint64_t> n = parse_decimal(text);
  if (!n || *n > kMaxProcs)
    throw UsageError("--procs: '" + text + "' is not a number of Ps from 0 to " + std::to_string(kMaxProcs));
  const std::string refusal = procs_refusal(*make_strategy(strategy), static_cast<unsigned>(*n));
  if (!refusal.empty()) throw UsageError("--procs: " + refusal);
  return static_cast<unsigned>(*n);
}

std::int64_t parse_cpu_cost(const std::string& text, unsigned procs) {
  // A second of CPU per event is already beyond any program's meaning.
  constexpr std::uint64_t kMaxCost = 1'000'000'000;
  const std::optional<std::uint64_t> n = parse_decimal(text);
  if (!n || *n > kMaxCost)
    throw UsageError("--cpu-cost: '" + text + "' is not a number of nanoseconds from 0 to " + std::to_string(kMaxCost));
  if (*n > 0 && procs == 0) throw UsageError("--cpu-cost: needs --procs (gorewind's own model has no CPU clocks)");
  return static_cast<std::int64_t>(*n);
}

std::uint64_t parse_count(const std::string& text, std::string_view option, std::string_view what) {
  if (const std::optional<std::uint64_t> n = parse_decimal(text)) return *n;
  throw UsageError(std::string(option) + ": '" + text + "' is not " + std::string(what));
}

std::string strategy_help(bool exploring) {
  std::string out;
  const auto all = builtin_strategies();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (exploring && !all[i].explores) continue;
    if (!out.empty()) out += ", ";
    out += std::string(all[i].name) + " (" + std::string(all[i].about) + ")";
  }
  return out;
}

void ScenarioArgs::add_to(CLI::App& sub) {
  sub.add_option("scenario", scenario, "The scenario to run (see the list command)")->required();
  sub.add_option("--seed", seed_text, "Seed of the strategy's choices; the same seed gives the same run")
      ->type_name("N")
      ->capture_default_str();
  sub.add_option("--strategy", strategy,
                 "Who decides the schedule: " + strategy_help() +
                     "; for dfs the seed is the seed-th schedule of explore's search. A seed gives the schedule "
                     "explore --strategy S reports for it")
      ->type_name("NAME")
      ->capture_default_str();
  sub.add_option("--depth", depth_text,
                 "pct: its depth (default " + std::to_string(PctStrategy::kDefaultDepth) +
                     "); dfs: its preemption bound (default " +
                     std::to_string(DfsStrategy::kDefaultPreemptionBound) + "), as explore --depth")
      ->type_name("D");
  sub.add_option("--param", param_args, "A scenario parameter; repeat for several (default: none, the scenario's own defaults)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub.add_option("--step-limit", step_limit_text,
                 "End the run (outcome step_limit) once it has made N events: catches livelocks; 0: no limit")
      ->type_name("N")
      ->capture_default_str();
  sub.add_option("--timeout", timeout_text,
                 "End the run (outcome timeout) after SECONDS of wall clock: the program runs in a child process, "
                 "killed then; the report says whether a goroutine spun without a scheduling point or the run was "
                 "merely slow; 0: no limit")
      ->type_name("SECONDS")
      ->capture_default_str();
  sub.add_option("--races", races, kRacesHelp)->type_name("MODE")->capture_default_str();
  sub.add_option("--procs", procs_text, kProcsHelp)->type_name("N")->capture_default_str();
  sub.add_option("--cpu-cost", cpu_cost_text, kCpuCostHelp)->type_name("NS")->capture_default_str();
}

PreparedRun prepare_run(const ScenarioArgs& args, const Context& ctx) {
  const Scenario* scenario = find_scenario(args.scenario);
  if (scenario == nullptr)
    throw UsageError("unknown scenario '" + args.scenario + "' (see '" + ctx.program + " list')");
  if (!is_strategy(args.strategy, false))
    throw UsageError("unknown strategy '" + args.strategy + "' (expected " + strategy_names(false) + ")");
  int depth = 0;
  if (!args.depth_text.empty()) {
    if (args.strategy != "pct" && args.strategy != "dfs")
      throw UsageError("--depth: only pct and dfs take a depth, not " + args.strategy);
    const std::optional<std::uint64_t> d = parse_decimal(args.depth_text);
    if (!d || *d < 1 || *d > 64) throw UsageError("--depth: '" + args.depth_text + "' is not a depth from 1 to 64");
    depth = static_cast<int>(*d);
  }
  PreparedRun p;
  p.scenario = scenario;
  RunOptions& options = p.options;
  options.seed = parse_seed(args.seed_text);
  options.scenario = scenario->name;
  options.params = parse_params(args.param_args);
  options.max_steps = parse_step_limit(args.step_limit_text);
  options.races = parse_races(args.races);
  options.procs = parse_procs(args.procs_text, args.strategy);
  options.cpu_cost_ns = parse_cpu_cost(args.cpu_cost_text, options.procs);
  p.timeout = parse_timeout(args.timeout_text);
  p.strategy = args.strategy;
  if (is_systematic(args.strategy)) {
    if (options.seed == 0) throw UsageError("--seed: " + args.strategy + " schedules count from 1");
    p.search_depth = depth;
  } else {
    StrategyConfig config{.depth = depth};
    // pct spreads its change points over the run's length, which explore
    // measures first: measured the same way, seed N is explore's seed N.
    if (measures_run_length(args.strategy)) {
      ExploreOptions measure;
      measure.run = options;
      config.pct_steps = record::measure_pct_steps_supervised(scenario->body, measure, p.timeout);
    }
    options.strategy = make_strategy(args.strategy, config);
  }

  const RunCommandLine command{scenario->name,     args.strategy,
                           options.seed,       depth,
                           options.params,     options.max_steps,
                           args.timeout_text != ScenarioArgs{}.timeout_text ? args.timeout_text : "",
                           options.races,      options.procs,
                           options.cpu_cost_ns};
  p.reproduce = command.line(ctx.program);
  return p;
}

std::string RunCommandLine::line(const std::string& program) const {
  std::string out = shell_word(program) + " run " + shell_word(scenario) + " --seed " + std::to_string(seed) +
                    " --strategy " + shell_word(strategy);
  if (depth != 0) out += " --depth " + std::to_string(depth);
  for (const auto& [k, v] : params) out += " --param " + shell_word(k + "=" + v);
  if (step_limit != 0) out += " --step-limit " + std::to_string(step_limit);
  if (!timeout_text.empty()) out += " --timeout " + timeout_text;
  if (races != RaceMode::First) out += " --races " + std::string(to_string(races));
  if (procs != 0) out += " --procs " + std::to_string(procs);
  if (cpu_cost_ns != 0) out += " --cpu-cost " + std::to_string(cpu_cost_ns);
  return out;
}

ScenarioRun run_prepared(const PreparedRun& p, const std::vector<Observer*>& observers, const Runner& runner) {
  RunOptions options = p.options;
  options.observers = observers;
  const std::function<void()>& body = p.scenario->body;
  RunResult result;
  if (is_systematic(p.strategy)) {
    try {
      result = run_search_schedule(body, options, p.strategy, p.search_depth, options.seed,
                                   [&](const RunOptions& o) { return run_checking_input(body, o, runner); });
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
  } else {
    result = run_checking_input(body, options, runner);
  }
  ScenarioRun out{std::move(result), p.scenario->name, options.params, p.reproduce};
  if (out.result.strategy.empty()) out.result.strategy = p.strategy;
  warn_unread_params(out.scenario, out.params, out.result);
  return out;
}

ScenarioRun died(const PreparedRun& p, const record::ChildEnd& end) {
  ScenarioRun out{record::fault_result(end), p.scenario->name, p.options.params, p.reproduce};
  out.result.seed = p.options.seed;
  out.result.strategy = p.strategy;
  return out;
}

}  // namespace gorewind::cli
