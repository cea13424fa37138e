// cmd_replay.cpp: `gorewind replay <run>`, a recorded run again, exactly,
// checked event by event against the log.
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/detail/runaway.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/record/build_fingerprint.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/child_report.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/record/supervised_explore.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/trace_hasher.hpp>

#include "cli.hpp"
#include "debugger_stop.hpp"
#include "event_line.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
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
// past a divergence under a live strategy, and exits as `run` does. --json
// says the same as one object, which the child that replays hands to this
// process (ChildReport) to complete with the run a --record made, or with
// the child's death.
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
                   "strategy (random or pct) instead of stopping at the divergence (default: none, a strict replay)")
        ->type_name("STRATEGY");
    sub.add_option("--seed", seed_text_,
                   "With --then: the re-execution's seed, as run --seed N: it seeds the --then strategy, which past "
                   "the recording goes on as run --strategy S --seed N would, and gr::rand (default: the run's "
                   "seed)")
        ->type_name("N");
    sub.add_option("--stop-at", stop_text_,
                   "Under a debugger: stop with a breakpoint trap in the goroutine producing event SEQ, to inspect "
                   "its C++ locals (gdb -ex run --args gorewind replay RUN --stop-at SEQ; default: none)")
        ->type_name("SEQ");
    sub.add_flag("--json", json_,
                 "Print the result as one JSON object on one line: run, identical, events, divergence (null or "
                 "{seq, expected, actual, site}; an event as show --json prints it, null where there was none), then "
                 "(null or {strategy, from_decision, decisions}), result (the re-execution as run --json prints it), "
                 "recorded (the --record run's id or null)");
  }

  int run(const Context& ctx) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    if (!then_.empty() && then_ != "random" && then_ != "pct")
      throw UsageError("--then: '" + then_ + "' is not random or pct");
    if (!seed_text_.empty() && then_.empty())
      throw UsageError(
          "--seed: give it with --then; a replay without --then runs with the recorded run's seed, from which its "
          "decisions and gr::rand's draws came");
    if (!seed_text_.empty()) seed_ = parse_seed(seed_text_);

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

  // replay_here() replays the run in this process and prints the report
  // (with --json: hands it to report_ when set, for the parent to print);
  // runner, when set, records the re-execution. cut, when not 0, is the seq
  // of the death that ended the run: a strict re-execution that reaches it
  // alive returns kReachedCut and prints nothing.
  int replay_here(storage::EventLogReader& log, const storage::RunRow& row, const Scenario& scenario,
                  std::vector<Observer*> observers, const Runner& runner, std::uint64_t cut) {
    replay::ReplayOptions options;
    if (!then_.empty()) {
      // pct's run length is measured as `run --strategy pct` measures it,
      // so that --then pct --seed N goes on as that run would.
      StrategyConfig config;
      if (measures_run_length(then_)) {
        ExploreOptions measure;
        measure.run = replay::recorded_options(row);
        config.pct_steps = record::measure_pct_steps_supervised(scenario.body, measure, 0);
      }
      options.then = make_strategy(then_, config);
    }
    options.seed = seed_;
    // Only --json reports the re-execution's trace hash: a plain replay
    // hashes nothing. In a child, a death of the re-execution is reported by
    // the parent, with the digest so far.
    TraceHasher hasher;
    if (json_) {
      if (report_) record::ChildProcess::keep_trace_hash(&hasher);
      observers.push_back(&hasher);
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
    const bool reached_cut = cut != 0 && !options.then && r.divergence && r.divergence->seq == cut;
    const int code = r.identical() || (options.then && r.result.ok()) ? kExitOk : kExitFailed;
    if (json_) {
      std::string j = "{\"run\":" + std::to_string(row.id) + ",\"identical\":" + (r.identical() ? "true" : "false") +
                      ",\"events\":" + std::to_string(r.result.events) + ",\"divergence\":" +
                      (r.divergence ? divergence_json(*r.divergence) : "null") + ",\"then\":" +
                      then_json(r.script_left ? std::optional<std::size_t>(r.script_left_at) : std::nullopt,
                                r.decisions) +
                      ",\"result\":" + to_json(RunReport{r.result, row.scenario, row.params, hasher.hex(), {}}) + "}";
      if (report_) {
        report_->write(j);
      } else {
        std::cout << json_with(j, "recorded", saved ? std::to_string(saved->id) : "null") << "\n";
      }
      return reached_cut ? kReachedCut : code;
    }
    if (reached_cut) return kReachedCut;

    const std::string which = "replayed run " + std::to_string(row.id);
    if (r.identical()) {
      std::cout << which << ": identical (" << r.result.events << " events)\n";
    } else if (!options.then) {
      std::cout << which << ": diverged at seq " << r.divergence->seq << "\n";
      print_divergence(log, row, *r.divergence);
    } else {
      std::cout << which << ": the recording stopped matching at seq " << r.divergence->seq;
      if (r.script_left)
        std::cout << "; from decision " << r.script_left_at << " of " << r.decisions << " on, " << then_
                  << " decided";
      std::cout << "\n";
      print_divergence(log, row, *r.divergence);
      std::cout << "then: " << to_string(r.result.outcome) << (r.result.message.empty() ? "" : ": " + r.result.message)
                << " (" << r.result.events << " events)\n";
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
    record::ChildReport report;
    const auto body = [&](const Runner& runner) {
      return guarded(ctx, [&] {
        // A connection of the child's own: the parent's must not be used
        // across the fork.
        storage::EventLogReader child_log(db_);
        report_ = &report;
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
          [&](const record::ChildRecorder& recorder) {
            return body([&](const std::function<void()>& fn, const RunOptions& o) { return recorder(fn, o).result; });
          },
          db_, sc);
      end = r.end;
      saved = r.run_id;
    } else {
      record::ChildProcess child([&] { return body(nullptr); }, config);
      end = child.wait();
    }
    if (json_) return judge_json(log, row, cut, end, report.read(), saved);
    const int code = judge_death(row, cut, end);
    if (saved != 0) std::cout << "recorded as run " << saved << "\n";
    return code;
  }

  // Judgement is what a child's end says of a replay whose child printed
  // nothing: whether the re-execution matched, and the seq where it did
  // not (0: it matched).
  struct Judgement {
    int code = kExitFailed;
    std::uint64_t diverged_at = 0;
  };

  // judge() is what the child's end says, when the child did not report
  // itself. cut and end as judge_death() takes them. Under --then a death
  // is a failed run, as `run` exits, even where it is the recorded one.
  Judgement judge(const storage::RunRow& row, std::uint64_t cut, const record::ChildEnd& end) const {
    // A death where the recording has none, after its last event.
    if (cut == 0) return {kExitFailed, end.fault.last_seq + 1};
    const bool timeout = row.outcome == "timeout";
    const bool same_place = end.fault.last_seq + 1 == cut && end.gid == row.failed_gid;
    const bool same_crash = !timeout && end.outcome == Outcome::Crash && same_place && end.message == row.message;
    const bool same_timeout = timeout && end.outcome == Outcome::Timeout && end.fault.last_seq + 1 == cut;
    if (same_crash || same_timeout) return {then_.empty() ? kExitOk : kExitFailed, 0};
    return {kExitFailed, cut};
  }

  // judge_death() reports what the child's end says, beyond what the child
  // printed itself.
  int judge_death(const storage::RunRow& row, std::uint64_t cut, const record::ChildEnd& end) const {
    const std::string which = "replayed run " + std::to_string(row.id);
    if (end.returned() && end.code != kReachedCut) return end.code;
    const Judgement j = judge(row, cut, end);
    if (!then_.empty() || cut == 0) {
      std::cout << which << (then_.empty() ? ": diverged: the re-execution ended in " : ": then: ")
                << to_string(end.outcome) << " in goroutine " << end.gid << " after seq " << end.fault.last_seq << ": "
                << end.message << "\n";
    } else if (j.diverged_at == 0 && row.outcome != "timeout") {
      std::cout << which << ": identical (" << cut - 1 << " events, then the same crash in goroutine " << end.gid
                << ": " << end.message << ")\n";
    } else if (j.diverged_at == 0) {
      std::cout << which << ": reproduced to the cut at seq " << cut - 1 << " (then no event for 1 s"
                << (end.fault.timeout_kind == "spin" ? ": spin" : "") << ")\n";
    } else {
      std::cout << which << ": diverged at seq " << cut << ": recorded " << row.outcome << " in goroutine "
                << row.failed_gid << " (" << row.message << "); the re-execution ";
      if (end.returned())
        std::cout << "went on past it\n";
      else
        std::cout << "ended in " << to_string(end.outcome) << " in goroutine " << end.gid << " after seq "
                  << end.fault.last_seq << " (" << end.message << ")\n";
    }
    return j.code;
  }

  // judge_json() prints the --json report: the child's own (report) when it
  // made one, else what its death says, with the --record run's id (0: none).
  int judge_json(storage::EventLogReader& log, const storage::RunRow& row, std::uint64_t cut,
                 const record::ChildEnd& end, std::string report, std::int64_t saved) const {
    if (report.empty() && end.returned() && end.code != kReachedCut) return end.code;  // an error, said by the child
    int code = end.returned() ? end.code : kExitFailed;
    if (report.empty() || (end.returned() && end.code == kReachedCut)) {
      const Judgement j = judge(row, cut, end);
      code = j.code;
      if (report.empty()) {
        RunResult died = record::fault_result(end);
        died.seed = seed_.value_or(row.seed);
        died.strategy = then_.empty() ? "replay" : "replay+" + then_;
        std::string divergence = "null";
        if (j.diverged_at != 0) {
          storage::EventQuery at(row.id);
          at.from = at.to = j.diverged_at;
          divergence = divergence_json(replay::Divergence{j.diverged_at, log.first(at), std::nullopt});
        }
        report = "{\"run\":" + std::to_string(row.id) + ",\"identical\":" + (j.diverged_at == 0 ? "true" : "false") +
                 ",\"events\":" + std::to_string(end.fault.last_seq) + ",\"divergence\":" + divergence +
                 ",\"then\":" + then_json(std::nullopt, log.schedule(row.id).value_or(std::vector<Choice>{}).size()) +
                 ",\"result\":" +
                 to_json(RunReport{died, row.scenario, row.params, TraceHasher::hex_of(end.trace_hash), {}}) + "}";
      }
    }
    std::cout << json_with(report, "recorded", saved != 0 ? std::to_string(saved) : "null") << "\n";
    return code;
  }

  // then_json() is the "then" of the --json report: null without --then.
  // from_decision: the first decision the recording did not cover (nullopt: none, or unknown).
  std::string then_json(std::optional<std::size_t> from_decision, std::size_t decisions) const {
    if (then_.empty()) return "null";
    return "{\"strategy\":" + json_string(then_) + ",\"from_decision\":" +
           (from_decision ? std::to_string(*from_decision) : "null") + ",\"decisions\":" + std::to_string(decisions) +
           "}";
  }

  // divergence_json() is the "divergence" of the --json report.
  static std::string divergence_json(const replay::Divergence& d) {
    return "{\"seq\":" + std::to_string(d.seq) + ",\"expected\":" + (d.expected ? event_json(*d.expected) : "null") +
           ",\"actual\":" + (d.actual ? event_json(*d.actual) : "null") + ",\"site\":" +
           json_string(divergence_site(d).to_string()) + "}";
  }

  // divergence_site() is where the run left its log: the actual event's
  // site, else the expected one's.
  static Site divergence_site(const replay::Divergence& d) {
    if (d.actual && !d.actual->site.empty()) return d.actual->site;
    return d.expected ? d.expected->site : Site{};
  }

  // print_divergence() shows the expected and the actual event at the
  // divergence, as `show` lines, and the site where the run left its log.
  static void print_divergence(storage::EventLogReader& log, const storage::RunRow& row, const replay::Divergence& d) {
    EventColumns columns = run_columns(log, row);
    columns.seq = std::max(columns.seq, std::to_string(d.seq).size());
    std::cout << "  expected: " << (d.expected ? event_line(*d.expected, columns) : "(the recording had ended)")
              << "\n";
    std::cout << "  actual:   " << (d.actual ? event_line(*d.actual, columns) : "(the run had ended)") << "\n";
    std::cout << "  site:     " << divergence_site(d).to_string() << "\n";
  }

  std::string run_text_;
  std::string db_ = kDefaultDb;
  bool record_ = false;
  std::string then_;
  std::string seed_text_;
  std::optional<std::uint64_t> seed_;
  std::string stop_text_;
  bool json_ = false;
  // report_ is where a supervised replay's child puts its --json report; null: print it.
  record::ChildReport* report_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_replay_command() { return std::make_unique<ReplayCommand>(); }

}  // namespace gorewind::cli
