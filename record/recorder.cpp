#include <gorewind/record/recorder.hpp>

#include <gorewind/error.hpp>
#include <gorewind/record/build_fingerprint.hpp>
#include <gorewind/record/program_name.hpp>
#include <gorewind/storage/state_codec.hpp>

namespace gorewind::record {

Recorder::Recorder(const std::string& db_path, Config config)
    : config_(config), writer_(db_path, config.writer) {
  if (config.heap) throw Error("heap counts are recorded only by a supervised recording (record_supervised)");
}

Recorder::Recorder(storage::LogSink& sink, Config config) : config_(config), writer_(sink, config.writer) {}

void Recorder::fail() noexcept {
  if (!error_) error_ = std::current_exception();
}

void Recorder::on_run_begin(const RunInfo& info) {
  state_ = StateBuilder();
  run_ = 0;
  recording_ = false;
  last_seq_ = 0;
  error_ = nullptr;
  try {
    run_ = writer_.begin_run(storage::RunHeader{info.scenario, info.params, info.seed, info.strategy,
                                                build_fingerprint(), program_name(), info.races, config_.heap,
                                                info.procs, info.cpu_cost_ns});
    recording_ = true;
    if (config_.heap) heap::start();
  } catch (...) {
    fail();
  }
}

void Recorder::on_event(const Event& e) {
  if (!recording_) return;
  writer_.append(e);
  last_seq_ = e.seq;
  try {
    state_.apply(e);
  } catch (...) {
    fail();
  }
  if (schedule_of_ != nullptr && writer_.streams()) {
    // Streaming: the decisions go with the events, so a child that dies
    // leaves its schedule up to its last event with the parent.
    if (!schedule_of_->choices().empty()) {
      writer_.add_choices(schedule_of_->choices());
      schedule_of_->forget(schedule_of_->choices().size());
    }
  } else if (schedule_of_ != nullptr && schedule_of_->choices().size() >= storage::kScheduleChunk) {
    // The strategy keeps what it decides; a full chunk goes to the log and
    // out of memory, so a run of any length records in bounded memory.
    writer_.add_schedule_chunk(std::span<const Choice>(schedule_of_->choices()).first(storage::kScheduleChunk));
    schedule_of_->forget(storage::kScheduleChunk);
  }
  if (config_.heap) take_heap(e.seq);
  if (config_.snapshot_every != 0 && e.seq % config_.snapshot_every == 0) {
    try {
      writer_.add_snapshot(e.seq, storage::encode_state(state_.state()));
    } catch (...) {
      fail();
    }
  }
}

void Recorder::take_heap(std::uint64_t seq) noexcept {
  try {
    heap_.clear();
    heap::take(heap_);
    if (!heap_.empty()) writer_.add_heap(seq, heap_);
  } catch (...) {
    fail();
  }
}

void Recorder::on_run_end(const RunResult& r) {
  if (!recording_) return;
  // What the teardown freed after the last event, unwinding the goroutines
  // left blocked, stays uncounted: in Go they would hold it still.
  if (config_.heap) heap::stop();
  try {
    // The state right after the last event, unless a periodic snapshot
    // already holds it. A streaming writer leaves it to the receiving side,
    // which also writes it for a child that died before its end.
    if (!writer_.streams() && (config_.snapshot_every == 0 || last_seq_ % config_.snapshot_every != 0))
      writer_.add_snapshot(last_seq_, storage::encode_state(state_.state()));
  } catch (...) {
    fail();
  }
  try {
    storage::RunEnd end{std::string(to_string(r.outcome)), r.message, r.goroutine, r.site, r.events,
                        r.vtime_ns, writer_.hasher().hex(), std::nullopt};
    if (schedule_of_ != nullptr) end.schedule = schedule_of_->choices();
    writer_.finish_run(end);
  } catch (...) {
    fail();
  }
}

RecordedRun Recorder::finish() {
  if (error_) std::rethrow_exception(error_);
  return RecordedRun{run_, last_seq_, writer_.hasher().hex(), writer_.stats()};
}

}  // namespace gorewind::record
