// replay_run.hpp: running a recorded run again, exactly, and checking it.
//
//   gr::storage::EventLogReader log("gorewind.db");
//   gr::replay::ReplayResult r = gr::replay::replay_run(body, log, 3);
//   if (r.divergence) ...  // the first event that differs from the log
//
// replay_run() re-runs the program with the run's seed and parameters under
// a ScriptedStrategy fed the run's stored schedule, so the scheduler only
// replays the recorded decisions, and an EventChecker compares every event
// it produces with the log. An unchanged program gives the same events; a
// changed one stops matching at some seq, which the result names.
//
// Strict replay (no `then`) answers decisions the script does not cover with
// option 0 and reports the first mismatch. Tolerant replay (`then` set)
// follows the script as far as it applies and lets `then` decide from there,
// so the run goes on as a new schedule of the changed program: the schedule
// `then` would have made with the run's seed, the recorded decisions
// overriding its own while they apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <gorewind/observer.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/run.hpp>
#include <gorewind/strategy.hpp>
#include <gorewind/replay/event_checker.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/run_row.hpp>

namespace gorewind::replay {

struct ReplayOptions {
  // then decides once the recording stops applying (tolerant replay); null
  // for strict replay. It is asked at every decision from the first, its
  // answers taken from the first the recording does not cover, so from
  // there the run goes on as a run of `then` with the same seed would.
  std::shared_ptr<Strategy> then;
  // seed is the re-execution's RunOptions::seed, which seeds `then` and
  // gr::rand as a run's seed does; nullopt: the recorded run's own. Another
  // seed than the recorded one makes gr::rand draw other values, so the
  // event check stops matching at the first draw.
  std::optional<std::uint64_t> seed;
  // observers see the re-execution's events too (after the checker). Not owned.
  std::vector<Observer*> observers;
  // runner runs the program (gorewind::run() when empty): a caller that
  // records the replay passes a recording runner.
  std::function<RunResult(const std::function<void()>&, const RunOptions&)> runner;
};

// ReplayResult is how a re-execution compared with its recording.
struct ReplayResult {
  storage::RunRow recorded;  // the run row replayed
  RunResult result;          // the re-execution's own result
  // divergence is the first event that differs; nullopt: identical.
  std::optional<Divergence> divergence;
  // script_left says the run asked a decision the schedule did not record
  // (tolerant replay: `then` decided from decision script_left_at on).
  bool script_left = false;
  std::size_t script_left_at = 0;
  std::size_t decisions = 0;  // the recorded schedule's length

  bool identical() const { return !divergence; }
};

// recorded_options() are the options a run was recorded with, as its row
// keeps them: its seed, scenario, parameters, race mode and Go's scheduler
// (procs, CPU cost). Every re-execution of a recorded run starts from them.
RunOptions recorded_options(const storage::RunRow& run);

// replay_options() are recorded_options() under strategy, bounded so that a
// re-execution that stops matching cannot run forever.
RunOptions replay_options(const storage::RunRow& run, std::shared_ptr<Strategy> strategy, bool tolerant);

// replay_run() replays run (recorded from the program fn) from log. Throws
// ReplayError for a run not complete or without a stored schedule,
// storage::StorageError for an unknown run or an unreadable log, and what
// gorewind::run() throws.
ReplayResult replay_run(const std::function<void()>& fn, storage::EventLogReader& log, std::int64_t run,
                        const ReplayOptions& options = {});

}  // namespace gorewind::replay
