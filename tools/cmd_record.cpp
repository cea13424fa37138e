// cmd_record.cpp: `gorewind record <scenario>`, a run like `run` that goes
// into the event log.
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/record_run.hpp>

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
    record::RecordedRun saved;
    announce_migration(db_);
    PreparedRun prepared = prepare_run(args_, ctx);
    prepared.options.timeout = prepared.timeout;
    const ScenarioRun run = run_prepared(prepared, {}, [&](const std::function<void()>& fn, const RunOptions& o) {
      record::RecordResult r = record::record_run(fn, o, db_, config);
      saved = r.recorded;
      return r.result;
    });
    std::cout << "run " << saved.id << ": " << to_string(run.result.outcome) << " (" << run.result.events
              << " events)\n";
    return run.result.ok() ? kExitOk : kExitFailed;
  }

 private:
  ScenarioArgs args_;
  std::string db_ = kDefaultDb;
  std::string snapshot_every_text_ = "10000";
};

}  // namespace

std::unique_ptr<Command> make_record_command() { return std::make_unique<RecordCommand>(); }

}  // namespace gorewind::cli
