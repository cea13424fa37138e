// supervised_recording.hpp: recording a run whose program may crash or
// hang. The program runs in a ChildProcess; its Recorder streams every
// event through a SharedRing as it is made; this process writes the log.
// When the child dies, every event it made is already here, and the run is
// cut with the death as its outcome (a final Crash event, the run row
// complete), so the evidence is kept.
//
//   record::SupervisedRecording r = record::record_supervised(
//       [&](const record::ChildRecorder& rec) { rec(body, options); return 0; }, "gorewind.db");
//   // r.run_id, r.result (outcome, message, goroutine, site, events), r.end
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <gorewind/outcome.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/record/shared_ring.hpp>
#include <gorewind/run.hpp>

namespace gorewind::record {

// ChildRecorder records one run in the child, as record_run() does, through
// the ring: call it once.
using ChildRecorder = std::function<RunResult(const std::function<void()>& fn, RunOptions options)>;

// SupervisedRecording is the recorded run as this process knows it.
struct SupervisedRecording {
  std::int64_t run_id = 0;  // 0: the child ended before its run began
  // result: from the run row as written (outcome, message, goroutine, site,
  // events, trace hash); for a death, fault_result() of it.
  RunResult result;
  std::string trace_hash;
  ChildEnd end;  // how the child ended: returned() with the body's code, or its death
};

struct SupervisedConfig {
  Recorder::Config recorder;
  ChildProcess::Config child;
  std::size_t ring_capacity = SharedRing::kDefaultCapacity;

  // timed() is the Config of a recording with these settings and a child
  // timeout of seconds.
  static SupervisedConfig timed(double seconds, Recorder::Config recorder = {}) {
    SupervisedConfig c;
    c.recorder = recorder;
    c.child.timeout = seconds;
    return c;
  }
};

// record_supervised() forks a child that runs body, which records through
// the ChildRecorder it is given and returns the child's exit code, and
// writes what the child streams into the log at db_path. Throws
// storage::StorageError when the log cannot take the run (the child is then
// stopped), Error when the child cannot be started.
SupervisedRecording record_supervised(const std::function<int(const ChildRecorder&)>& body,
                                      const std::string& db_path, const SupervisedConfig& config = {});

}  // namespace gorewind::record
