// cmd_state.cpp: `gorewind state <run> --at SEQ`, the runtime state at one
// point of a recorded run, from the log alone; with --vs, compared field by
// field with the state at another point of this run or another; with
// --process, each goroutine's native frames there, by re-execution; with
// --gdb, the re-execution stopped there under a debugger. A run on Go's
// scheduler (--procs) also shows the scheduler there, by re-execution: the
// run queues are not in the log.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/replay/run_identity.hpp>
#include <gorewind/replay/state_diff.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "debugger_stop.hpp"
#include "log_db.hpp"
#include "native_stack_dump.hpp"
#include "recorded_scenario.hpp"
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
    return "Show a recorded run's state at one seq: goroutines, channels, locks, WaitGroups, virtual time, and "
           "for a run on Go's scheduler (--procs) its Ps, Ms and run queues; with --vs, compare it field by field "
           "with another";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    sub.add_option("--at", at_text_, "The state right after this event (0: before the first)")
        ->type_name("SEQ")
        ->required();
    add_db_option(sub, db_);
    sub.add_option("--vs", vs_text_,
                   "Compare with the state of this run (goroutines matched by spawn path; default: none)")
        ->type_name("RUN2");
    sub.add_option("--at2", at2_text_, "With --vs: the seq of RUN2's state (default: --at)")->type_name("SEQ2");
    sub.add_option("--db-b", db_b_, "With --vs: the event log of RUN2 (default: the --db log)")->type_name("FILE");
    sub.add_flag("--json", json_, "Print one JSON object");
    sub.add_flag("--process", process_,
                 "Also re-execute the run to SEQ and show each goroutine's native frames there (needs the program "
                 "that recorded the run)");
    sub.add_flag("--gdb", gdb_,
                 "Under a debugger: re-execute the run and stop with a breakpoint trap in the goroutine producing "
                 "event SEQ, to inspect its C++ locals (gdb -ex run --args gorewind state RUN --at SEQ --gdb)");
  }

  int run(const Context& ctx) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    const std::uint64_t seq = parse_count(at_text_, "--at", "a seq");
    if (vs_text_.empty() && !(at2_text_.empty() && db_b_.empty())) throw UsageError("--at2 and --db-b need --vs");
    if (int(!vs_text_.empty()) + int(process_) + int(gdb_) > 1) throw UsageError("--vs, --process, --gdb: one at a time");
    if (gdb_ && !debugger_attached())
      throw UsageError("--gdb needs a debugger: gdb -ex run --args " + ctx.program + " state " + run_text_ +
                       " --db " + shell_word(db_) + " --at " + at_text_ + " --gdb");
    // Process state's fork server first: no database connection may exist
    // in the process it copies.
    std::optional<replay::CheckpointServer> processes;
    if (process_) processes.emplace(replay::CheckpointServer::start());
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    const RuntimeState state = replay::log_state_at(log, run_id, seq);
    const ObjectNames names = object_names(log, run_id);
    if (!vs_text_.empty()) return compare(log, row, state, names, ctx);
    if (gdb_) return stop_at(log, row, seq, ctx);
    std::optional<replay::ProcessState> process;
    if (processes) {
      processes->open(db_, row, recorded_scenario(row, ctx).body, std::max<std::uint64_t>(seq, 1));
      process = processes->at(seq);
    }
    const GmpState gmp = recorded_gmp_state(log, row, seq, ctx);
    record::Symbolizer symbols;
    if (json_) {
      std::string j = state_json(row, state, names, &gmp);
      if (process) {
        j.pop_back();
        j += ",\"process_matches_log\":" + std::string(process->state == state ? "true" : "false") +
             ",\"native_stacks\":" + native_stacks_json(*process, symbols) + "}";
      }
      std::cout << j << "\n";
    } else {
      write_state_text(std::cout, row, state, names, &gmp);
      if (process) {
        std::cout << "\nnative stacks (the run re-executed to seq " << seq << "):\n";
        write_native_stacks_text(std::cout, *process, symbols, names, process->state == state);
      }
    }
    return kExitOk;
  }

 private:
  int compare(storage::EventLogReader& log, const storage::RunRow& row, const RuntimeState& state,
              const ObjectNames& names, const Context& ctx) {
    const auto run2 = static_cast<std::int64_t>(parse_count(vs_text_, "--vs", "a run id (see the runs command)"));
    const std::uint64_t seq2 = parse_count(at2_text_.empty() ? at_text_ : at2_text_, "--at2", "a seq");
    std::optional<storage::EventLogReader> other;
    if (!db_b_.empty() && db_b_ != db_) other.emplace(db_b_);
    storage::EventLogReader& log2 = other ? *other : log;
    const storage::RunRow row2 = log2.run(run2);
    const RuntimeState state2 = replay::log_state_at(log2, run2, seq2);
    const replay::RunIdentity ids = replay::RunIdentity::load(log, row.id);
    const replay::RunIdentity ids2 = replay::RunIdentity::load(log2, run2);
    replay::StateDiff d = replay::diff_states(state, ids, state2, ids2);
    const GmpState gmp = recorded_gmp_state(log, row, state.seq, ctx);
    const GmpState gmp2 = recorded_gmp_state(log2, row2, state2.seq, ctx);
    replay::diff_gmp(gmp, ids, gmp2, ids2, d);
    if (json_) {
      std::cout << "{\"a\":" << state_json(row, state, names, &gmp)
                << ",\"b\":" << state_json(row2, state2, object_names(log2, run2), &gmp2)
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

  // stop_at() re-executes row under its recorded schedule and traps at
  // seq, in the goroutine producing it, then prints the state there.
  int stop_at(storage::EventLogReader& log, const storage::RunRow& row, std::uint64_t seq, const Context& ctx) {
    if (seq == 0 || seq > row.events)
      throw UsageError("--gdb: run " + std::to_string(row.id) + " has events 1 to " + std::to_string(row.events));
    StopAtSeq stop(seq);
    replay::ReplayOptions options;
    options.observers.push_back(&stop);
    const replay::ReplayResult r = replay::replay_run(recorded_scenario(row, ctx).body, log, row.id, options);
    if (!stop.reached() || !r.identical())
      throw replay::ReplayError("--gdb: the program no longer replays run " + std::to_string(row.id) +
                                " (see 'replay " + std::to_string(row.id) + "')");
    write_state_text(std::cout, row, replay::log_state_at(log, row.id, seq), object_names(log, row.id));
    return kExitOk;
  }

  std::string run_text_;
  std::string at_text_;
  std::string vs_text_;
  std::string at2_text_;
  std::string db_b_;
  std::string db_ = kDefaultDb;
  bool json_ = false;
  bool process_ = false;
  bool gdb_ = false;
};

}  // namespace

std::unique_ptr<Command> make_state_command() { return std::make_unique<StateCommand>(); }

}  // namespace gorewind::cli
