// supervised_recording.hpp: recording a run whose program may crash or
// hang. The program runs in a ChildProcess; its Recorder streams every
// event through a SharedRing as it is made; this process writes the log.
// When the child dies, every event it made is already here, and the run is
// cut with the death as its outcome (a final Crash event, the run row
// complete), so the evidence is kept.
//
// What the program prints is evidence too. The child's stdout and stderr
// are pipes to this process, which echoes them to its own as they come and
// stores them with the run, chunk by chunk (storage::OutputChunk, the
// output table): also what was printed before the run's first event (seq
// 0) and after its end; what a child printed without ever beginning a run
// is only echoed. A chunk stored at seq N promises:
//   - every byte of it was printed before the run's event N + 1 was made:
//     the child publishes each event before its program goes on, and this
//     process reads the pipes first, then takes every event published by
//     then, and stores the chunk at the last of them. So output printed
//     after event M is never stored at a seq below M;
//   - N is exactly the seq the program stood at when it printed, whenever
//     it made no further event before this process read the chunk and
//     looked at the ring: the lines before a crash, a timeout or the run's
//     end, or before a wait long enough. Otherwise N is later by the events
//     made in between; the pipes are read after every 64 messages taken
//     from the ring and whenever it is idle (20 ms without a message);
//   - chunks are stored in the order they were read, so their seqs never
//     decrease and each stream's bytes keep their order; between stdout and
//     stderr the order within one read is unknown (stdout's comes first).
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
#include <gorewind/record/record_run.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/record/shared_ring.hpp>
#include <gorewind/run.hpp>

namespace gorewind::record {

// ChildRecorder records one run in the child, as record_run() does, through
// the ring, and returns what record_run() does (the recorded run's id is
// the parent's to know: 0 here): call it once.
using ChildRecorder = std::function<RecordResult(const std::function<void()>& fn, RunOptions options)>;

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
