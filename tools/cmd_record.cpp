// cmd_record.cpp: `gorewind record <scenario>`, a run like `run` that goes
// into the event log.
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/child_report.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/trace_hasher.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// RecordCommand runs a scenario once, recorded with its schedule, and prints
// `run <id>: <outcome> (<n> events)`, or with --json the report `run --json`
// prints plus the run's id. Exit codes as `run`.
class RecordCommand final : public Command {
 public:
  std::string_view name() const override { return "record"; }
  std::string_view help() const override {
    return "Run a scenario once and record every event into the event log";
  }

  void add_options(CLI::App& sub) override {
    args_.add_to(sub);
    add_db_option(sub, db_);
    sub.add_option("--snapshot-every", snapshot_every_text_,
                   "Store the runtime state every K events (and at the end); 0: only at the end")
        ->type_name("K")
        ->capture_default_str();
    sub.add_flag("--heap", heap_,
                 "Count the program's allocations (operator new and delete, malloc and free) by goroutine and call "
                 "site, for `profile --kind heap`");
    sub.add_flag("--json", json_,
                 "Print the result as one JSON object on one line: the keys of run --json, and run (the recorded "
                 "run's id; null when the program died before its run began)");
  }

  int run(const Context& ctx) override {
    record::Recorder::Config config;
    config.snapshot_every = parse_count(snapshot_every_text_, "--snapshot-every", "a number of events");
    config.heap = heap_;
    announce_migration(db_);
    const PreparedRun prepared = prepare_run(args_, ctx);
    // Only the child holds the whole result (blocked goroutines, races,
    // names); it hands its report over for the parent to add the run's id.
    record::ChildReport report;
    const record::SupervisedRecording r = record::record_supervised(
        [&](const record::ChildRecorder& recorder) {
          return guarded(ctx, [&] {
            // The recorder hashes the run already; a second hasher would cost as much again.
            std::string trace_hash;
            ScenarioRun run = run_prepared(prepared, {}, [&](const std::function<void()>& fn, const RunOptions& o) {
              record::RecordResult recorded = recorder(fn, o);
              trace_hash = recorded.recorded.trace_hash;
              return recorded.result;
            });
            if (json_) report.write(to_json(RunReport{run.result, run.scenario, run.params, trace_hash, {}}));
            return run.result.ok() ? kExitOk : kExitFailed;
          });
        },
        db_, record::SupervisedConfig::timed(prepared.timeout, config));
    if (r.end.returned() && r.end.code == kExitUsage) return kExitUsage;  // bad input, said by the child
    if (json_) return print_json(prepared, r, report.read());
    if (r.run_id == 0) {
      // The program died before its run began: nothing to record.
      std::cout << to_string(r.end.outcome) << ": " << r.end.message << "\n";
      return kExitFailed;
    }
    std::cout << "run " << r.run_id << ": " << to_string(r.result.outcome) << " (" << r.result.events << " events)";
    if (!r.end.returned()) std::cout << ": " << r.result.message;
    std::cout << "\n";
    return r.result.ok() ? kExitOk : kExitFailed;
  }

 private:
  // print_json() prints the child's report with the run's id or, when the
  // child died before it could report, the death as `run --json` reports it.
  static int print_json(const PreparedRun& prepared, const record::SupervisedRecording& r, std::string report) {
    if (report.empty()) {
      ScenarioRun death = died(prepared, r.end);
      if (r.run_id != 0) {
        // As the log keeps it: the cut run's outcome and events (its Crash event included).
        death.result.outcome = r.result.outcome;
        death.result.message = r.result.message;
        death.result.events = r.result.events;
      }
      const std::string trace_hash = TraceHasher::hex_of(r.end.trace_hash);
      report = to_json(RunReport{death.result, death.scenario, death.params, trace_hash, {}});
    }
    std::cout << json_with(report, "run", r.run_id == 0 ? "null" : std::to_string(r.run_id)) << "\n";
    return r.run_id != 0 && r.result.ok() ? kExitOk : kExitFailed;
  }

  ScenarioArgs args_;
  std::string db_ = kDefaultDb;
  std::string snapshot_every_text_ = "10000";
  bool json_ = false;
  bool heap_ = false;
};

}  // namespace

std::unique_ptr<Command> make_record_command() { return std::make_unique<RecordCommand>(); }

}  // namespace gorewind::cli
