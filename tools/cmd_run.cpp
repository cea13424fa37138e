// cmd_run.cpp: `gorewind run <scenario>`, one run of a scenario under one
// strategy and seed, reported the way Go reports a failing program.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/trace_hasher.hpp>

#include "cli.hpp"
#include "outcome_report.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// RunCommand runs one scenario once. Exit code 0 when the run is ok, 1 for
// any other outcome, 2 for bad input.
class RunCommand final : public Command {
 public:
  std::string_view name() const override { return "run"; }
  std::string_view help() const override {
    return "Run a scenario once under a strategy and seed and report how it ended";
  }

  void add_options(CLI::App& sub) override {
    args_.add_to(sub);
    sub.add_flag("--json", json_,
                 "Print the result as one JSON object on one line: scenario, params, seed, strategy, outcome, "
                 "message, goroutine, site, blocked, races, wait_for, fault (a death only), events, vtime_ns, "
                 "goroutines, trace_hash, stack_guard");
  }

  int run(const Context& ctx) override {
    const PreparedRun prepared = prepare_run(args_, ctx);
    // The program runs in a child that reports its own run; the parent
    // reports only a death (a crash, the timeout, an exit() of its own).
    record::ChildProcess child(
        [&] {
          return guarded(ctx, [&] {
            TraceHasher hasher;
            record::ChildProcess::keep_trace_hash(&hasher);
            ScenarioRun run = run_prepared(prepared, {&hasher});
            return report(std::move(run), hasher.hex());
          });
        },
        record::ChildProcess::Config::timed(prepared.timeout));
    const record::ChildEnd end = child.wait();
    if (end.returned()) return end.code;
    return report(died(prepared, end), TraceHasher::hex_of(end.trace_hash));
  }

 private:
  int report(ScenarioRun run, const std::string& trace_hash) const {
    const RunReport report{run.result, run.scenario, std::move(run.params), trace_hash, std::move(run.reproduce)};
    if (json_) {
      std::cout << to_json(report) << "\n";
    } else {
      write_text(std::cout, report);
    }
    return run.result.ok() ? kExitOk : kExitFailed;
  }

  ScenarioArgs args_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace gorewind::cli
