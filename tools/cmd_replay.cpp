// cmd_replay.cpp: `gorewind replay <run>`, a recorded run again, exactly,
// checked event by event against the log.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/record/build_fingerprint.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/record_run.hpp>
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

    if (ended_in_death(log, row)) {
      if (!then_.empty()) refuse_death(log, row, "replay --then");
      if (record_) refuse_death(log, row, "replay --record");
      if (!stop) return replay_death(ctx, scenario, row);
    }

    replay::ReplayOptions options;
    if (!then_.empty()) {
      options.then = make_strategy(then_);
      if (!seed_text_.empty()) options.then_seed = parse_count(seed_text_, "--seed", "a seed");
    }
    if (stop) options.observers.push_back(&*stop);
    std::optional<record::RecordedRun> saved;
    if (record_) {
      announce_migration(db_);
      options.runner = [&](const std::function<void()>& fn, const RunOptions& o) {
        record::RecordResult r = record::record_run(fn, o, db_);
        saved = r.recorded;
        return r.result;
      };
    }
    const replay::ReplayResult r = replay::replay_run(scenario.body, log, run_id, options);

    const std::string which = "replayed run " + std::to_string(run_id);
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

 private:
  // replay_death() replays a run that ended in its process's death, in a
  // supervised child of its own, and compares the death too: the same
  // signal in the same goroutine right after the same seq is identical; a
  // timeout is reproduced when the re-execution reaches the same seq and
  // makes no event for a second after it.
  int replay_death(const Context& ctx, const Scenario& scenario, const storage::RunRow& row) {
    const std::uint64_t cut = row.events;  // the Crash event's seq
    const bool timeout = row.outcome == "timeout";
    constexpr int kReachedCut = 1;
    constexpr int kDivergedBefore = 3;
    record::ChildProcess child(
        [&] {
          return guarded(ctx, [&] {
            // A connection of the child's own: the parent's must not be used
            // across the fork.
            storage::EventLogReader log(db_);
            const replay::ReplayResult r = replay::replay_run(scenario.body, log, row.id);
            if (r.divergence && r.divergence->seq == cut) return kReachedCut;
            std::cout << "replayed run " << row.id << ": diverged at seq " << r.divergence->seq << "\n";
            print_divergence(log, row, *r.divergence);
            return kDivergedBefore;
          });
        },
        record::ChildProcess::Config::timed(timeout ? 1.0 : 10.0));
    const record::ChildEnd end = child.wait();
    const std::string which = "replayed run " + std::to_string(row.id);
    if (end.returned() && end.code != kReachedCut) return end.code == kDivergedBefore ? kExitFailed : end.code;
    const bool same_place = end.fault.last_seq + 1 == cut && end.gid == row.failed_gid;
    if (!timeout && end.outcome == Outcome::Crash && same_place && end.message == row.message) {
      std::cout << which << ": identical (" << cut - 1 << " events, then the same crash in goroutine " << end.gid
                << ": " << end.message << ")\n";
      return kExitOk;
    }
    if (timeout && (end.returned() || (end.outcome == Outcome::Timeout && end.fault.last_seq + 1 == cut))) {
      std::cout << which << ": reproduced to the cut at seq " << cut - 1;
      if (!end.returned()) std::cout << " (then no event for " << (end.fault.timeout_kind == "spin" ? "1 s: spin" : "1 s") << ")";
      std::cout << "\n";
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
