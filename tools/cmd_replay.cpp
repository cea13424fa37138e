// cmd_replay.cpp: `gorewind replay <run>`, a recorded run again, exactly,
// checked event by event against the log.
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/build_fingerprint.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/detail/runaway.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "debugger_stop.hpp"
#include "event_line.hpp"
#include "log_db.hpp"
#include "recorded_scenario.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// SharedSeq is an observer in a child that publishes the seq of the last
// event it saw to the parent.
class SharedSeq final : public Observer {
 public:
  void on_event(const Event& e) override { seq_->store(e.seq, std::memory_order_release); }
  std::uint64_t seq() const { return seq_->load(std::memory_order_acquire); }

 private:
  record::Shared<std::atomic<std::uint64_t>> seq_;
};

// ReplayCommand re-runs a recorded run under its stored schedule and reports
// whether every event matched: `replayed run <id>: identical (<n> events)`
// and exit 0, or the first divergence and exit 1. With --then it goes on
// past a divergence under a live strategy, and exits as `run` does.
class ReplayCommand final : public Command {
 public:
  std::string_view name() const override { return "replay"; }
  std::string_view help() const override {
    return "Run a recorded run again with its recorded decisions and check every event against the log";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    add_db_option(sub, db_);
    sub.add_flag("--record", record_, "Record the replay into the log as a new run");
    sub.add_option("--then", then_,
                   "Tolerant replay: once the recording stops applying (the program changed), go on under this "
                   "strategy (random or pct) instead of stopping at the divergence")
        ->type_name("STRATEGY");
    sub.add_option("--seed", seed_text_, "Seed of the --then strategy (default: the run's seed)")->type_name("N");
    sub.add_option("--stop-at", stop_text_,
                   "Under a debugger: stop with a breakpoint trap in the goroutine producing event SEQ, to inspect "
                   "its C++ locals (gdb -ex run --args gorewind replay RUN --stop-at SEQ)")
        ->type_name("SEQ");
  }

  int run(const Context& ctx) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    if (!then_.empty() && then_ != "random" && then_ != "pct")
      throw UsageError("--then: '" + then_ + "' is not random or pct");
    if (!seed_text_.empty() && then_.empty()) throw UsageError("--seed: give it with --then");

    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    const Scenario& scenario = recorded_scenario(row, ctx);
    std::optional<StopAtSeq> stop;
    if (!stop_text_.empty()) {
      const std::uint64_t seq = parse_count(stop_text_, "--stop-at", "an event's seq");
      if (seq == 0 || seq > row.events)
        throw UsageError("--stop-at: run " + std::to_string(run_id) + " has events 1 to " + std::to_string(row.events));
      // Without a debugger the trap would only kill the process.
      if (!debugger_attached())
        throw UsageError("--stop-at needs a debugger: gdb -ex run --args " + ctx.program + " replay " + run_text_ +
                         " --db " + shell_word(db_) + " --stop-at " + stop_text_);
      stop.emplace(seq);
    }
    if (row.build != record::build_fingerprint())
      std::cerr << "gorewind: warning: run " << run_id << " was recorded by another build (" << row.build
                << "); the event check decides whether it still replays\n";

    if (stop) return replay_here(log, row, scenario, {&*stop}, nullptr, 0);
    return replay_supervised(ctx, scenario, log, row);
  }

 private:
  using Runner = std::function<RunResult(const std::function<void()>&, const RunOptions&)>;

  // The codes of a supervised replay's child beyond kExitOk and kExitFailed.
  static constexpr int kReachedCut = 3;  // the re-execution reached a death's seq alive

  // replay_here() replays the run in this process and prints the report;
  // runner, when set, records the re-execution. cut, when not 0, is the seq
  // of the death that ended the run: a strict re-execution that reaches it
  // alive returns kReachedCut and prints nothing.
  int replay_here(storage::EventLogReader& log, const storage::RunRow& row, const Scenario& scenario,
                  std::vector<Observer*> observers, const Runner& runner, std::uint64_t cut) {
    replay::ReplayOptions options;
    if (!then_.empty()) {
      options.then = make_strategy(then_);
      if (!seed_text_.empty()) options.then_seed = parse_count(seed_text_, "--seed", "a seed");
    }
    options.observers = std::move(observers);
    std::optional<record::RecordedRun> saved;
    if (runner) {
      options.runner = runner;
    } else if (record_) {
      announce_migration(db_);
      options.runner = [&](const std::function<void()>& fn, const RunOptions& o) {
        record::RecordResult r = record::record_run(fn, o, db_);
        saved = r.recorded;
        return r.result;
      };
    }
    const replay::ReplayResult r = replay::replay_run(scenario.body, log, row.id, options);
    if (cut != 0 && !options.then && r.divergence && r.divergence->seq == cut) return kReachedCut;

    const std::string which = "replayed run " + std::to_string(row.id);
    int code = kExitOk;
    if (r.identical()) {
      std::cout << which << ": identical (" << r.result.events << " events)\n";
    } else if (!options.then) {
      std::cout << which << ": diverged at seq " << r.divergence->seq << "\n";
      print_divergence(log, row, *r.divergence);
      code = kExitFailed;
    } else {
      std::cout << which << ": the recording stopped matching at seq " << r.divergence->seq;
      if (r.script_left)
        std::cout << "; from decision " << r.script_left_at << " of " << r.decisions << " on, " << then_
                  << " decided";
      std::cout << "\n";
      print_divergence(log, row, *r.divergence);
      std::cout << "then: " << to_string(r.result.outcome) << (r.result.message.empty() ? "" : ": " + r.result.message)
                << " (" << r.result.events << " events)\n";
      code = r.result.ok() ? kExitOk : kExitFailed;
    }
    if (saved) std::cout << "recorded as run " << saved->id << "\n";
    return code;
  }

  // replay_supervised() replays the run in a supervised child (recording
  // it with --record), so that a program that crashes or spins kills only
  // the child, and compares a death too. A run that ended in a death is
  // identical when the same signal ends the same goroutine right after the
  // same seq; a timeout is reproduced when the re-execution reaches the
  // same seq and then makes no event for 1 s (the probe: the clock
  // runs only from that seq on).
  int replay_supervised(const Context& ctx, const Scenario& scenario, storage::EventLogReader& log,
                        const storage::RunRow& row) {
    const std::uint64_t cut = ended_in_death(log, row) ? row.events : 0;  // the Crash event's seq
    const bool timeout = cut != 0 && row.outcome == "timeout";
    if (record_) announce_migration(db_);
    SharedSeq reached;
    const auto body = [&](const Runner& runner) {
      return guarded(ctx, [&] {
        // A connection of the child's own: the parent's must not be used
        // across the fork.
        storage::EventLogReader child_log(db_);
        return replay_here(child_log, row, scenario, {&reached}, runner, cut);
      });
    };
    const std::int64_t started = detail::monotonic_ns();
    std::int64_t probe_from = 0;
    record::ChildProcess::Config config;
    if (timeout) {
      config.timeout = 1;
      config.uncounted_ns = [&]() -> std::uint64_t {
        if (probe_from == 0 && reached.seq() + 1 >= cut) probe_from = detail::monotonic_ns();
        return static_cast<std::uint64_t>((probe_from != 0 ? probe_from : detail::monotonic_ns()) - started);
      };
    }
    record::ChildEnd end;
    std::int64_t saved = 0;
    if (record_) {
      record::SupervisedConfig sc;
      sc.child = config;
      const record::SupervisedRecording r = record::record_supervised(
          [&](const record::ChildRecorder& recorder) { return body(recorder); }, db_, sc);
      end = r.end;
      saved = r.run_id;
    } else {
      record::ChildProcess child([&] { return body(nullptr); }, config);
      end = child.wait();
    }
    const int code = judge_death(row, cut, end);
    if (saved != 0) std::cout << "recorded as run " << saved << "\n";
    return code;
  }

  // judge_death() reports what the child's end says, beyond what the child
  // printed itself.
  int judge_death(const storage::RunRow& row, std::uint64_t cut, const record::ChildEnd& end) {
    const std::string which = "replayed run " + std::to_string(row.id);
    if (end.returned() && end.code != kReachedCut) return end.code;
    if (!then_.empty() || cut == 0) {
      // The re-execution died where the recording did not, or past the
      // point where --then took over.
      std::cout << which << (then_.empty() ? ": diverged: the re-execution ended in " : ": then: ")
                << to_string(end.outcome) << " in goroutine " << end.gid << " after seq " << end.fault.last_seq << ": "
                << end.message << "\n";
      return kExitFailed;
    }
    const bool timeout = row.outcome == "timeout";
    const bool same_place = end.fault.last_seq + 1 == cut && end.gid == row.failed_gid;
    if (!timeout && end.outcome == Outcome::Crash && same_place && end.message == row.message) {
      std::cout << which << ": identical (" << cut - 1 << " events, then the same crash in goroutine " << end.gid
                << ": " << end.message << ")\n";
      return kExitOk;
    }
    if (timeout && end.outcome == Outcome::Timeout && end.fault.last_seq + 1 == cut) {
      std::cout << which << ": reproduced to the cut at seq " << cut - 1 << " (then no event for 1 s"
                << (end.fault.timeout_kind == "spin" ? ": spin" : "") << ")\n";
      return kExitOk;
    }
    std::cout << which << ": diverged at seq " << cut << ": recorded " << row.outcome << " in goroutine "
              << row.failed_gid << " (" << row.message << "); the re-execution ";
    if (end.returned())
      std::cout << "went on past it\n";
    else
      std::cout << "ended in " << to_string(end.outcome) << " in goroutine " << end.gid << " after seq "
                << end.fault.last_seq << " (" << end.message << ")\n";
    return kExitFailed;
  }

  // print_divergence() shows the expected and the actual event at the
  // divergence, as `show` lines, and the site where the run left its log.
  static void print_divergence(storage::EventLogReader& log, const storage::RunRow& row, const replay::Divergence& d) {
    EventColumns columns = run_columns(log, row);
    columns.seq = std::max(columns.seq, std::to_string(d.seq).size());
    std::cout << "  expected: " << (d.expected ? event_line(*d.expected, columns) : "(the recording had ended)")
              << "\n";
    std::cout << "  actual:   " << (d.actual ? event_line(*d.actual, columns) : "(the run had ended)") << "\n";
    const Site& site = d.actual && !d.actual->site.empty() ? d.actual->site
                       : d.expected                        ? d.expected->site
                                                           : Site{};
    std::cout << "  site:     " << site.to_string() << "\n";
  }

  std::string run_text_;
  std::string db_ = kDefaultDb;
  bool record_ = false;
  std::string then_;
  std::string seed_text_;
  std::string stop_text_;
};

}  // namespace

std::unique_ptr<Command> make_replay_command() { return std::make_unique<ReplayCommand>(); }

}  // namespace gorewind::cli
