// cmd_bisect.cpp: `gorewind bisect <run> [--against <run>]`, the decision
// that turns a pass into a failing run's failure (replay/bisect.hpp), its
// two neighbours recorded so that `gorewind diff` shows them side by side.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/replay/bisect.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "event_line.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "recorded_scenario.hpp"
#include "scenario_run.hpp"

namespace gorewind::cli {
namespace {

// ending() is how a run ended, as the text shows it: "ok", or
// "check_failed at FILE:LINE".
std::string ending(const RunResult& r) {
  std::string s(to_string(r.outcome));
  if (r.outcome != Outcome::Ok && !r.site.empty()) s += " at " + r.site.to_string();
  return s;
}

// site_or_none() is "file:line", or "" for no site.
std::string site_or_none(const Site& s) { return s.empty() ? "" : s.to_string(); }

// question() is what a decision of this kind (a Choice's) asks.
std::string question(std::uint8_t kind) {
  if (kind == Choice::kGoroutine) return "which goroutine runs";
  if (kind == Choice::kind_of(Decision::SelectCase)) return "which ready select case fires";
  if (kind == Choice::kind_of(Decision::TimerTie)) return "which timer due at the same instant fires first";
  if (kind == Choice::kind_of(Decision::ProcTie)) return "which P at the earliest clock acts first";
  if (kind == Choice::kind_of(Decision::StealVictim)) return "which P an idle P steals from";
  return "which waiter the released lock goes to";
}

// Recorded is one neighbour recorded into the log, with its event at the
// culprit's seq (none: the run ended before it) and the widths that align
// that event's line with its run's.
struct Recorded {
  std::int64_t run = 0;
  std::optional<storage::StoredEvent> event;
  EventColumns columns;
};

class BisectCommand final : public Command {
 public:
  std::string_view name() const override { return "bisect"; }
  std::string_view help() const override {
    return "Find the decision that turns a pass (fifo's schedule, or --against RUN) into a failing run's failure, "
           "verified on both sides; record the two runs around it for diff";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The failing run's id (see the runs command)")->required();
    sub.add_option("--against", against_text_,
                   "A passing run of the same scenario and parameters whose decisions take over after the prefix "
                   "(default: fifo's)")
        ->type_name("RUN");
    sub.add_option("--max-attempts", attempts_text_, "Runs to try at most, the two verifying runs included")
        ->type_name("N")
        ->capture_default_str();
    sub.add_option("--timeout", timeout_text_, kAttemptTimeoutHelp)
        ->type_name("SECONDS")
        ->capture_default_str();
    add_db_option(sub, db_);
    sub.add_flag("--json", json_,
                 "Print the result as one JSON object on one line: run, against (null: fifo), scenario, outcome, "
                 "site, decisions, attempts, status, found, reason, culprit_seq, decision (1-based), kind, swapped "
                 "[the failing side's gid, the passing side's], failing and passing {gid, goroutine, site, option, "
                 "event (its event at culprit_seq, as show --json prints it)}, before_run, after_run, before and "
                 "after {run, prefix, outcome, site}");
  }

  int run(const Context& ctx) override {
    const auto id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    std::optional<std::int64_t> against;
    if (!against_text_.empty())
      against = static_cast<std::int64_t>(parse_count(against_text_, "--against", "a run id (see the runs command)"));
    const std::uint64_t max_attempts = parse_count(attempts_text_, "--max-attempts", "a count of runs");
    if (max_attempts == 0) throw UsageError("--max-attempts must be at least 1");
    const double timeout = parse_timeout(timeout_text_);

    // What the search needs from the log, read before it forks.
    storage::RunRow row;
    std::vector<Choice> failing, passing;
    {
      storage::EventLogReader log(db_);
      row = log.run(id);
      const std::string name = "run " + std::to_string(id);
      if (row.state != storage::RunState::Complete) throw UsageError(name + " is not complete: nothing to bisect");
      if (row.outcome == "ok") throw UsageError(name + " did not fail: nothing to bisect");
      auto s = log.schedule(id);
      if (!s) throw UsageError(name + " has no recorded schedule (recorded by an older build)");
      failing = std::move(*s);
      if (against) {
        const storage::RunRow p = log.run(*against);
        const std::string pname = "run " + std::to_string(*against);
        if (p.state != storage::RunState::Complete) throw UsageError(pname + " is not complete: it cannot be the pass");
        if (p.outcome != "ok")
          throw UsageError(pname + " did not pass (" + p.outcome + "): --against needs a passing run");
        if (p.scenario != row.scenario || p.params != row.params)
          throw UsageError(pname + " (" + p.scenario + ") and " + name + " (" + row.scenario +
                           ") are not runs of one scenario with the same parameters");
        auto ps = log.schedule(*against);
        if (!ps) throw UsageError(pname + " has no recorded schedule (recorded by an older build)");
        passing = std::move(*ps);
      }
    }
    const Scenario& sc = recorded_scenario(row, ctx);
    const RunOptions o = replay::recorded_options(row);
    replay::BisectLimits limits;
    limits.max_attempts = max_attempts;
    limits.timeout = attempt_timeout(row.outcome, timeout);
    const replay::Bisected b = replay::bisect(sc.body, o, failing, passing, limits);

    const std::string name = "run " + std::to_string(id);
    if (std::string(to_string(b.failure.outcome)) != row.outcome || b.failure.site.file != row.failed_site.file ||
        b.failure.site.line != row.failed_site.line)
      throw UsageError(name + " does not fail the same way when run again (" + ending(b.failure) + " instead of " +
                       row.outcome + (row.failed_site.empty() ? "" : " at " + row.failed_site.to_string()) +
                       "): replay it to see where it diverges");

    const std::string pass_name = against ? "run " + std::to_string(*against) : "fifo";
    std::optional<Recorded> before, after;
    if (b.status == replay::BisectStatus::Found) {
      before = record_side(ctx, sc, o, b.before, b.seq, limits.timeout, name);
      after = record_side(ctx, sc, o, b.after, b.seq, limits.timeout, name);
    }
    const std::string why = reason(b, pass_name, row.seed, against.has_value());
    if (json_) {
      write_json(id, against, row, b, failing.size(), before, after, why);
    } else {
      std::cout << "bisected " << name << " (" << ending(b.failure) << ") against " << pass_name << " in "
                << b.attempts << " attempt" << (b.attempts == 1 ? "" : "s") << "\n";
      if (!before) {
        std::cout << "no culprit: " << why << "\n";
      } else {
        const std::size_t width = std::max(name.size(), pass_name.size()) + 2;
        EventColumns columns = after->columns;
        columns.seq = std::max(columns.seq, before->columns.seq);
        columns.gid = std::max(columns.gid, before->columns.gid);
        columns.name = std::max(columns.name, before->columns.name);
        const auto line = [&](const std::string& label, const Recorded& r) {
          return "  " + label + std::string(width - label.size(), ' ') +
                 (r.event ? event_line(*r.event, columns) : "(the run ended)") + "\n";
        };
        std::cout << "culprit: decision " << b.after.prefix << " of " << failing.size() << " at seq " << b.seq
                  << ", " << question(b.asked.kind) << ": option " << b.after.chosen << " instead of "
                  << b.before.chosen << " (of " << b.asked.options << ")\n"
                  << line(name, *after) << line(pass_name, *before)
                  << "  before  run " << before->run << "  first " << b.before.prefix << " decisions kept  "
                  << ending(b.before.result) << "\n"
                  << "  after   run " << after->run << "  first " << b.after.prefix << " decisions kept  "
                  << ending(b.after.result) << "\n"
                  << "compare them: " << ctx.program << " diff " << before->run << " " << after->run
                  << (db_ == kDefaultDb ? "" : " --db " + db_) << "\n";
      }
    }
    return before ? kExitOk : kExitFailed;
  }

 private:
  // record_side() records one neighbour's schedule as a new run of the log
  // and reads back its event at seq.
  Recorded record_side(const Context& ctx, const Scenario& sc, RunOptions o, const replay::BisectSide& side,
                       std::uint64_t seq, double timeout, const std::string& name) const {
    o.strategy = std::make_shared<ScriptedStrategy>(side.schedule, nullptr, "bisect");
    announce_migration(db_);
    const record::SupervisedRecording saved = record::record_supervised(
        [&](const record::ChildRecorder& recorder) {
          return guarded(ctx, [&] {
            recorder(sc.body, o);
            return kExitOk;
          });
        },
        db_, record::SupervisedConfig::timed(timeout));
    if (saved.run_id == 0) throw UsageError(name + "'s bisected neighbour could not be recorded: " + saved.end.message);
    Recorded r;
    r.run = saved.run_id;
    storage::EventLogReader log(db_);
    storage::EventQuery q(r.run);
    q.from = q.to = seq;
    r.event = log.first(q);
    r.columns = run_columns(log, log.run(r.run));
    return r;
  }

  // reason() says why no culprit was found; empty when one was.
  static std::string reason(const replay::Bisected& b, const std::string& pass_name, std::uint64_t seed,
                            bool against) {
    switch (b.status) {
      case replay::BisectStatus::Found: return "";
      case replay::BisectStatus::NotFailing: return "the failing run passes when run again";
      case replay::BisectStatus::PassingFails:
        return pass_name + "'s schedule" + (against ? " run with seed " + std::to_string(seed) : "") + " ends in " +
               ending(b.passing) + ": nothing passes to bisect from" +
               (against ? "" : " (give --against a passing run)");
      case replay::BisectStatus::NoPassToFail:
        return "no prefix that passes is next to one that fails the same way (every one was tried: another failure "
               "lies between)";
      case replay::BisectStatus::OutOfAttempts:
        return "the attempts ran out (" + std::to_string(b.attempts) + ") before a culprit was verified: raise " +
               "--max-attempts";
    }
    return "";
  }

  static void write_json(std::int64_t id, const std::optional<std::int64_t>& against, const storage::RunRow& row,
                         const replay::Bisected& b, std::size_t decisions, const std::optional<Recorded>& before,
                         const std::optional<Recorded>& after, const std::string& why) {
    std::cout << "{\"run\":" << id << ",\"against\":" << (against ? std::to_string(*against) : "null")
              << ",\"scenario\":" << json_string(row.scenario) << ",\"outcome\":" << json_string(row.outcome)
              << ",\"site\":" << json_string(site_or_none(b.failure.site)) << ",\"decisions\":" << decisions
              << ",\"attempts\":" << b.attempts << ",\"status\":" << json_string(replay::to_string(b.status))
              << ",\"found\":" << (before ? "true" : "false") << ",\"reason\":" << json_string(why);
    if (!before || !after) {
      std::cout << ",\"culprit_seq\":null,\"decision\":null,\"kind\":null,\"swapped\":null,\"failing\":null,"
                   "\"passing\":null,\"before_run\":null,\"after_run\":null,\"before\":null,\"after\":null}\n";
      return;
    }
    const auto who = [](const Recorded& r, const replay::BisectSide& s) {
      return "{\"gid\":" + std::to_string(s.gid) +
             ",\"goroutine\":" + json_string(r.event ? r.event->goroutine_name : "") +
             ",\"site\":" + json_string(site_or_none(s.site)) + ",\"option\":" + std::to_string(s.chosen) +
             ",\"event\":" + (r.event ? event_json(*r.event) : "null") + "}";
    };
    const auto side = [](const Recorded& r, const replay::BisectSide& s) {
      return "{\"run\":" + std::to_string(r.run) + ",\"prefix\":" + std::to_string(s.prefix) +
             ",\"outcome\":" + json_string(to_string(s.result.outcome)) +
             ",\"site\":" + json_string(site_or_none(s.result.site)) + "}";
    };
    std::cout << ",\"culprit_seq\":" << b.seq << ",\"decision\":" << b.after.prefix
              << ",\"kind\":" << json_string(replay::decision_kind(b.asked.kind)) << ",\"swapped\":[" << b.after.gid
              << "," << b.before.gid << "],\"failing\":" << who(*after, b.after)
              << ",\"passing\":" << who(*before, b.before) << ",\"before_run\":" << before->run
              << ",\"after_run\":" << after->run << ",\"before\":" << side(*before, b.before)
              << ",\"after\":" << side(*after, b.after) << "}\n";
  }

  std::string run_text_;
  std::string against_text_;
  std::string attempts_text_ = "200";
  std::string timeout_text_ = "10";
  std::string db_ = kDefaultDb;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_bisect_command() { return std::make_unique<BisectCommand>(); }

}  // namespace gorewind::cli
