// cmd_state.cpp: `gorewind state <run> --at SEQ`, the runtime state at one
// point of a recorded run, from the log alone; with --vs, compared field by
// field with the state at another point of this run or another.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/run_identity.hpp>
#include <gorewind/replay/state_diff.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"
#include "state_diff_view.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

// StateCommand rebuilds the state right after event SEQ from the nearest
// snapshot and the events after it; no scenario code runs. With --vs it
// exits 1 when the two states differ, 0 when they are the same.
class StateCommand final : public Command {
 public:
  std::string_view name() const override { return "state"; }
  std::string_view help() const override {
    return "Show a recorded run's state at one seq: goroutines, channels, locks, WaitGroups, virtual time; "
           "with --vs, compare it field by field with another";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    sub.add_option("--at", at_text_, "The state right after this event (0: before the first)")
        ->type_name("SEQ")
        ->required();
    add_db_option(sub, db_);
    sub.add_option("--vs", vs_text_, "Compare with the state of this run (goroutines matched by spawn path)")
        ->type_name("RUN2");
    sub.add_option("--at2", at2_text_, "With --vs: the seq of RUN2's state (default: --at)")->type_name("SEQ2");
    sub.add_option("--db-b", db_b_, "With --vs: the event log of RUN2 (default: the --db log)")->type_name("FILE");
    sub.add_flag("--json", json_, "Print one JSON object");
  }

  int run(const Context&) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    const std::uint64_t seq = parse_count(at_text_, "--at", "a seq");
    if (vs_text_.empty() && !(at2_text_.empty() && db_b_.empty())) throw UsageError("--at2 and --db-b need --vs");
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    const RuntimeState state = replay::log_state_at(log, run_id, seq);
    const ObjectNames names = object_names(log, run_id);
    if (!vs_text_.empty()) return compare(log, row, state, names);
    if (json_) std::cout << state_json(row, state, names) << "\n";
    else write_state_text(std::cout, row, state, names);
    return kExitOk;
  }

 private:
  int compare(storage::EventLogReader& log, const storage::RunRow& row, const RuntimeState& state,
              const ObjectNames& names) {
    const auto run2 = static_cast<std::int64_t>(parse_count(vs_text_, "--vs", "a run id (see the runs command)"));
    const std::uint64_t seq2 = parse_count(at2_text_.empty() ? at_text_ : at2_text_, "--at2", "a seq");
    std::optional<storage::EventLogReader> other;
    if (!db_b_.empty() && db_b_ != db_) other.emplace(db_b_);
    storage::EventLogReader& log2 = other ? *other : log;
    const storage::RunRow row2 = log2.run(run2);
    const RuntimeState state2 = replay::log_state_at(log2, run2, seq2);
    const replay::StateDiff d = replay::diff_states(state, replay::RunIdentity::load(log, row.id), state2,
                                                    replay::RunIdentity::load(log2, run2));
    if (json_) {
      std::cout << "{\"a\":" << state_json(row, state, names)
                << ",\"b\":" << state_json(row2, state2, object_names(log2, run2))
                << ",\"same\":" << (d.differences() == 0 ? "true" : "false")
                << ",\"differences\":" << state_diff_json(d) << "}\n";
    } else {
      const std::string a = "run " + std::to_string(row.id) + " at seq " + std::to_string(state.seq);
      const std::string b = "run " + std::to_string(row2.id) + " at seq " + std::to_string(state2.seq);
      std::cout << a << " (" << row.scenario << ") vs " << b << " (" << row2.scenario << "): " << d.differences()
                << (d.differences() == 1 ? " difference" : " differences") << " (* differs)\n";
      write_state_diff_text(std::cout, d, a, b);
    }
    return d.differences() == 0 ? kExitOk : kExitFailed;
  }

  std::string run_text_;
  std::string at_text_;
  std::string vs_text_;
  std::string at2_text_;
  std::string db_b_;
  std::string db_ = kDefaultDb;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_state_command() { return std::make_unique<StateCommand>(); }

}  // namespace gorewind::cli
