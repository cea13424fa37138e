// cmd_record.cpp: `gorewind record <scenario>`, a run like `run` that goes
// into the event log.
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/supervised_recording.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// RecordCommand runs a scenario once, recorded with its schedule, and prints
// `run <id>: <outcome> (<n> events)`. Exit codes as `run`.
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
  }

  int run(const Context& ctx) override {
    record::Recorder::Config config;
    config.snapshot_every = parse_count(snapshot_every_text_, "--snapshot-every", "a number of events");
    announce_migration(db_);
    const PreparedRun prepared = prepare_run(args_, ctx);
    const record::SupervisedRecording r = record::record_supervised(
        [&](const record::ChildRecorder& recorder) {
          return guarded(ctx, [&] {
            const ScenarioRun run = run_prepared(prepared, {}, [&](const std::function<void()>& fn, const RunOptions& o) {
              return recorder(fn, o);
            });
            return run.result.ok() ? kExitOk : kExitFailed;
          });
        },
        db_, record::SupervisedConfig::timed(prepared.timeout, config));
    if (r.end.returned() && r.end.code == kExitUsage) return kExitUsage;  // bad input, said by the child
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
  ScenarioArgs args_;
  std::string db_ = kDefaultDb;
  std::string snapshot_every_text_ = "10000";
};

}  // namespace

std::unique_ptr<Command> make_record_command() { return std::make_unique<RecordCommand>(); }

}  // namespace gorewind::cli
