// cmd_debug.cpp: `gorewind debug <run>`, a time-travel REPL over a recorded
// run (debug_session.hpp reads the commands, replay::Timeline travels).
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/process_states.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "debug_help.hpp"
#include "debug_session.hpp"
#include "log_db.hpp"
#include "recorded_scenario.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// DebugCommand opens the log and the run before reading any command, so a
// bad run or log is exit 2 and never a session; then it reads commands from
// stdin until quit or end of input.
class DebugCommand final : public Command {
 public:
  std::string_view name() const override { return "debug"; }
  std::string_view help() const override {
    return "Step forward and backward through a recorded run's events and state (commands on stdin; try help)";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    add_db_option(sub, db_);
    sub.add_option("--source", sources_, "Where list finds the source files the log names (default: here)")
        ->type_name("DIR");
    sub.footer(std::string("Commands (on stdin):\n") + kDebugHelp);
  }

  int run(const Context& ctx) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    // Process state's fork server first: no database connection may exist
    // in the process it copies.
    std::optional<replay::CheckpointServer> processes;
    std::string why_not;
    try {
      processes.emplace(replay::CheckpointServer::start());
    } catch (const replay::ReplayError& e) {
      why_not = e.what();
    }
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    DebugSession session(log, row);
    void (*body)() = nullptr;
    try {
      if (row.state != storage::RunState::Complete)
        throw UsageError("run " + std::to_string(row.id) + " is " + std::string(to_string(row.state)) +
                         ": only a complete run re-executes");
      body = recorded_scenario(row, ctx).body;
    } catch (const UsageError& e) {
      why_not = e.what();
      processes.reset();
    }
    std::optional<replay::ProcessStates> states;
    if (processes) states.emplace(*processes, db_);
    session.use_processes(states ? &*states : nullptr, body, why_not);
    session.use_sources(sources_);
    // The prompt only for a person: a scripted session's output is just the
    // commands' output.
    const bool interactive = isatty(STDIN_FILENO) != 0;
    session.write_banner(std::cout);
    for (std::string line;;) {
      if (interactive) std::cout << "(gorewind) " << std::flush;
      if (!std::getline(std::cin, line) || !session.execute(line, std::cout)) break;
      std::cout.flush();
    }
    return kExitOk;
  }

 private:
  std::string run_text_;
  std::string db_ = kDefaultDb;
  std::string sources_ = ".";
};

}  // namespace

std::unique_ptr<Command> make_debug_command() { return std::make_unique<DebugCommand>(); }

}  // namespace gorewind::cli
