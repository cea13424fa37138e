// record_run.hpp: the one way a command records a run.
//
//   gr::RunOptions options;  // seed, strategy, scenario, params, observers
//   gr::record::RecordResult r = gr::record::record_run(body, options, "gorewind.db");
//   // r.result is the run; r.recorded.id its run in the log
//
// record_run() wraps options.strategy in a RecordingStrategy, attaches a
// Recorder after options' own observers and stores the run's events,
// snapshots, outcome and its schedule (every decision), so that the run can
// later be replayed exactly.
#pragma once

#include <functional>
#include <string>

#include <gorewind/outcome.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/run.hpp>

namespace gorewind::record {

// RecordResult is a recorded run: what the run reported and where it went.
struct RecordResult {
  RunResult result;
  RecordedRun recorded;
};

// record_run() runs fn with options (a null strategy is a RandomStrategy,
// as in gorewind::run()) and records it into the log at db_path. The run
// row's strategy is the name of options.strategy. Throws what
// gorewind::run() throws, and storage::StorageError when the recording
// failed (the run then reads as incomplete).
RecordResult record_run(const std::function<void()>& fn, RunOptions options, const std::string& db_path,
                        Recorder::Config config = {});

// record_run() with a Recorder of the caller's: a streaming one, in a
// supervised child (supervised_recording.hpp).
RecordResult record_run(const std::function<void()>& fn, RunOptions options, Recorder& recorder);

}  // namespace gorewind::record
