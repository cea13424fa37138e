// cmd_state.cpp: `gorewind state <run> --at SEQ`, the runtime state at one
// point of a recorded run, from the log alone.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

// StateCommand rebuilds the state right after event SEQ from the nearest
// snapshot and the events after it; no scenario code runs.
class StateCommand final : public Command {
 public:
  std::string_view name() const override { return "state"; }
  std::string_view help() const override {
    return "Show a recorded run's state at one seq: goroutines, channels, locks, WaitGroups, virtual time";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    sub.add_option("--at", at_text_, "The state right after this event (0: before the first)")
        ->type_name("SEQ")
        ->required();
    add_db_option(sub, db_);
    sub.add_flag("--json", json_, "Print one JSON object");
  }

  int run(const Context&) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    const std::uint64_t seq = parse_count(at_text_, "--at", "a seq");
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    const RuntimeState state = replay::log_state_at(log, run_id, seq);
    const ObjectNames names = object_names(log, run_id);
    if (json_) std::cout << state_json(row, state, names) << "\n";
    else write_state_text(std::cout, row, state, names);
    return kExitOk;
  }

 private:
  std::string run_text_;
  std::string at_text_;
  std::string db_ = kDefaultDb;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_state_command() { return std::make_unique<StateCommand>(); }

}  // namespace gorewind::cli
