// supervised_recording.cpp: see supervised_recording.hpp.
#include <gorewind/record/supervised_recording.hpp>

#include <chrono>
#include <optional>
#include <vector>

#include <gorewind/record/child_output.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/record/ring_sink.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/storage/log_stream_writer.hpp>
#include <gorewind/trace_hasher.hpp>

namespace gorewind::record {

SupervisedRecording record_supervised(const std::function<int(const ChildRecorder&)>& body,
                                      const std::string& db_path, const SupervisedConfig& config) {
  SharedRing ring(config.ring_capacity);
  ChildProcess::Config child_config = config.child;
  child_config.uncounted_ns = [&ring] { return ring.producer_blocked_ns(); };
  child_config.capture_output = true;
  ChildProcess child(
      [&] {
        RingSink sink(ring);
        Recorder recorder(sink, config.recorder);
        ChildProcess::keep_trace_hash(&recorder.hasher());
        return body([&](const std::function<void()>& fn, RunOptions options) {
          return record_run(fn, std::move(options), recorder);
        });
      },
      child_config);
  // Opened only now: a database connection must not cross the fork. The
  // child is this process forked, so its return addresses are this
  // process's too.
  Symbolizer symbols;
  storage::LogStreamWriter::Config writer_config;
  writer_config.name_heap_sites = [&symbols](const std::vector<std::uintptr_t>& addresses) {
    return symbols.call_sites(addresses);
  };
  storage::LogStreamWriter writer(db_path, writer_config);
  ChildOutput& output = *child.output();
  // take_output() stores what the program printed since the last call. The
  // bytes are read first, then every message the child had published by
  // then is taken, and the chunks get the seq of the last event among
  // them: the program printed them after publishing the event of the seq
  // it stood at, so that event is among those taken.
  const auto take_output = [&] {
    std::vector<storage::OutputChunk> chunks = output.read();
    if (chunks.empty()) return false;
    const std::uint64_t mark = ring.published();
    while (ring.delivered() < mark) {
      const std::optional<std::string_view> m = ring.try_next();
      if (!m) break;  // only a message still being put, published after the output
      writer.apply(*m);
    }
    for (storage::OutputChunk& c : chunks) {
      c.seq = writer.last_seq();
      writer.add_output(std::move(c));
    }
    return true;
  };
  SupervisedRecording out;
  try {
    // Between messages the child is looked at now and then, for its output
    // (every 64 messages), its end and its clock (every 1024): each message
    // is a short step, each wait at most 20 ms.
    std::optional<ChildEnd> end;
    for (std::uint64_t n = 0; !end; ++n) {
      if (std::optional<std::string_view> m = ring.next(std::chrono::milliseconds(20))) {
        writer.apply(*m);
        if ((n & 63) != 0) continue;
        take_output();
        if ((n & 1023) != 0) continue;
      } else {
        take_output();
      }
      end = child.poll(0);
    }
    while (std::optional<std::string_view> m = ring.try_next()) writer.apply(*m);
    // Everything the child wrote is in the pipes by now, the lines it
    // printed right before a fatal signal too: a pipe holds no more than
    // one read takes. A few reads, not "until empty": a process the child
    // left behind may still write into them.
    for (int i = 0; i < 4 && take_output(); ++i) {
    }
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
