// supervised_recording.cpp: see supervised_recording.hpp.
#include <gorewind/record/supervised_recording.hpp>

#include <chrono>
#include <optional>

#include <gorewind/record/record_run.hpp>
#include <gorewind/record/ring_sink.hpp>
#include <gorewind/storage/log_stream_writer.hpp>
#include <gorewind/trace_hasher.hpp>

namespace gorewind::record {

SupervisedRecording record_supervised(const std::function<int(const ChildRecorder&)>& body,
                                      const std::string& db_path, const SupervisedConfig& config) {
  SharedRing ring(config.ring_capacity);
  ChildProcess::Config child_config = config.child;
  child_config.uncounted_ns = [&ring] { return ring.producer_blocked_ns(); };
  ChildProcess child(
      [&] {
        RingSink sink(ring);
        Recorder recorder(sink, config.recorder);
        ChildProcess::keep_trace_hash(recorder.hasher().state());
        return body([&](const std::function<void()>& fn, RunOptions options) {
          return record_run(fn, std::move(options), recorder).result;
        });
      },
      child_config);
  // Opened only now: a database connection must not cross the fork.
  storage::LogStreamWriter writer(db_path);
  SupervisedRecording out;
  try {
    // Between messages the child is looked at now and then, for its end and
    // its clock: each message is a short step, each wait at most 20 ms.
    std::optional<ChildEnd> end;
    for (std::uint64_t n = 0; !end; ++n) {
      if (std::optional<std::string_view> m = ring.next(std::chrono::milliseconds(20))) {
        writer.apply(*m);
        if ((n & 1023) != 0) continue;
      }
      end = child.poll(0);
    }
    while (std::optional<std::string_view> m = ring.try_next()) writer.apply(*m);
    out.end = *end;
  } catch (...) {
    child.stop();
    throw;
  }
  out.run_id = writer.run_id();
  if (out.run_id != 0 && !writer.finished()) {
    // Died under its run: the death is the run's outcome.
    out.result = fault_result(out.end);
    if (out.end.returned()) {
      out.result.outcome = Outcome::Exited;
      out.result.message = "the program ended its run without finishing it";
    }
    out.trace_hash = TraceHasher::hex_of(out.end.trace_hash);
    writer.cut(storage::RunCut{std::string(to_string(out.result.outcome)), out.result.message, out.result.goroutine,
                               out.result.site, out.trace_hash});
    out.result.events = writer.last_seq();
    return out;
  }
  if (out.run_id != 0) {
    const storage::RunEnd& e = writer.end();
    out.result.message = e.message;
    out.result.goroutine = e.failed_gid;
    out.result.site = e.failed_site;
    out.result.events = e.events;
    out.result.vtime_ns = e.vtime_ns;
    out.trace_hash = e.trace_hash;
    out.result.outcome = parse_outcome(e.outcome).value_or(Outcome::Panic);
  }
  return out;
}

}  // namespace gorewind::record
