// cmd_minimize.cpp: `gorewind minimize <run>`, a failing run's schedule made
// as simple as it can be while it still fails the same way, recorded anew.
// Attempts and the new recording run supervised, so a run that crashed or
// spun is minimized like any other failure.
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/replay/minimize.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "recorded_scenario.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

class MinimizeCommand final : public Command {
 public:
  std::string_view name() const override { return "minimize"; }
  std::string_view help() const override {
    return "Shrink a failing run's schedule to a 1-minimal one (fewer preemptions, switches, events) keeping its "
           "outcome and site; record the result as a new run";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The failing run's id (see the runs command)")->required();
    sub.add_option("--timeout", timeout_text_, kAttemptTimeoutHelp)
        ->type_name("SECONDS")
        ->capture_default_str();
    add_db_option(sub, db_);
    sub.add_flag("--json", json_,
                 "Print the result as one JSON object on one line: run, scenario, outcome, site (\"file:line\"; "
                 "empty: none), attempts, before and after {decisions, preemptions, switches, events}, one_minimal (every "
                 "remaining decision was tried), from_dfs (a bounded dfs search found the result), recorded (the "
                 "minimized run's id)");
  }

  int run(const Context& ctx) override {
    const auto id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(id);
    const std::string name = "run " + std::to_string(id);
    if (row.state != storage::RunState::Complete) throw UsageError(name + " is not complete: nothing to minimize");
    if (row.outcome == "ok") throw UsageError(name + " did not fail: nothing to minimize");
    const double timeout = parse_timeout(timeout_text_);
    const Scenario& sc = recorded_scenario(row, ctx);
    const auto schedule = log.schedule(id);
    if (!schedule) throw UsageError(name + " has no recorded schedule (recorded by an older build)");

    RunOptions o = replay::recorded_options(row);
    replay::MinimizeLimits limits;
    limits.timeout = attempt_timeout(row.outcome, timeout);
    const replay::Minimized m = replay::minimize(sc.body, o, *schedule, limits);
    if (std::string(to_string(m.result.outcome)) != row.outcome)
      throw UsageError(name + " does not fail the same way when run again (" + std::string(to_string(m.result.outcome)) +
                       " instead of " + row.outcome + "): replay it to see where it diverges");

    o.strategy = std::make_shared<ScriptedStrategy>(m.schedule, nullptr, "minimized");
    announce_migration(db_);
    const record::SupervisedRecording saved = record::record_supervised(
        [&](const record::ChildRecorder& recorder) {
          return guarded(ctx, [&] {
            recorder(sc.body, o);
            return kExitOk;
          });
        },
        db_, record::SupervisedConfig::timed(limits.timeout));
    if (saved.run_id == 0) throw UsageError(name + "'s minimized schedule could not be recorded: " + saved.end.message);
    if (json_) {
      const auto figures = [](std::size_t decisions, const replay::ScheduleFigures& f) {
        return "{\"decisions\":" + std::to_string(decisions) + ",\"preemptions\":" + std::to_string(f.preemptions) +
               ",\"switches\":" + std::to_string(f.switches) + ",\"events\":" + std::to_string(f.events) + "}";
      };
      std::cout << "{\"run\":" << id << ",\"scenario\":" << json_string(row.scenario)
                << ",\"outcome\":" << json_string(row.outcome)
                << ",\"site\":" << json_string(m.result.site.empty() ? "" : m.result.site.to_string())
                << ",\"attempts\":" << m.attempts << ",\"before\":" << figures(schedule->size(), m.before)
                << ",\"after\":" << figures(m.schedule.size(), m.after)
                << ",\"one_minimal\":" << (m.one_minimal ? "true" : "false")
                << ",\"from_dfs\":" << (m.from_dfs ? "true" : "false") << ",\"recorded\":" << saved.run_id << "}\n";
      return kExitOk;
    }
    std::cout << "minimized " << name << " (" << row.outcome;
    if (!m.result.site.empty()) std::cout << " at " << m.result.site.to_string();
    std::cout << ") in " << m.attempts << " attempt" << (m.attempts == 1 ? "" : "s") << "\n";
    const auto line = [](const char* label, const replay::ScheduleFigures& f) {
      std::cout << "  " << std::left << std::setw(8) << label << std::setw(13) << f.preemptions << std::setw(10)
                << f.switches << f.events << "\n";
    };
    std::cout << "          preemptions  switches  events\n";
    line("before", m.before);
    line("after", m.after);
    if (m.from_dfs)
      std::cout << "a dfs search bounded to " << m.after.preemptions << " preemption"
                << (m.after.preemptions == 1 ? "" : "s") << " found it\n";
    if (m.one_minimal)
      std::cout << "1-minimal: letting any one goroutine go on instead loses the failure\n";
    else
      std::cout << "not shown 1-minimal: the attempts ran out\n";
    std::cout << "recorded as run " << saved.run_id << "\n";
    return kExitOk;
  }

 private:
  std::string run_text_;
  std::string timeout_text_ = "10";
  std::string db_ = kDefaultDb;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_minimize_command() { return std::make_unique<MinimizeCommand>(); }

}  // namespace gorewind::cli
