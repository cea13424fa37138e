#include <gorewind/storage/log_stream_writer.hpp>

#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/state_codec.hpp>
#include <gorewind/storage/storage_error.hpp>
#include <gorewind/trace_hasher.hpp>

#include "batch_writer.hpp"
#include "event_batch.hpp"
#include "log_stream.hpp"
#include <gorewind/storage/schedule_codec.hpp>

namespace gorewind::storage {

LogStreamWriter::LogStreamWriter(const std::string& path, Config config)
    : config_(config),
      out_(std::make_unique<BatchWriter>(path)),
      batch_(std::make_unique<EventBatch>()),
      path_(path) {}

LogStreamWriter::~LogStreamWriter() = default;

namespace {

// kOutputBatchBytes: output waiting this long for a batch of events goes
// out on its own, so that a program that prints much and does little keeps
// no more than this in memory.
constexpr std::size_t kOutputBatchBytes = std::size_t{1} << 20;

}  // namespace

void LogStreamWriter::write_batch() {
  if (batch_->empty()) return;
  out_->write(*batch_, stats_);
  batch_->clear();
  output_bytes_ = 0;
}

void LogStreamWriter::add_output(OutputChunk chunk) {
  if (chunk.bytes.empty()) return;
  output_bytes_ += chunk.bytes.size();
  // Two reads at the same seq from the same stream are one chunk.
  std::vector<OutputChunk>& waiting = batch_->output;
  if (!waiting.empty() && waiting.back().seq == chunk.seq && waiting.back().stream == chunk.stream)
    waiting.back().bytes += chunk.bytes;
  else
    waiting.push_back(std::move(chunk));
  if (run_ != 0 && (finished_ || output_bytes_ >= kOutputBatchBytes)) write_batch();
}

void LogStreamWriter::apply(std::string_view message) {
  const StreamMessage kind = message_kind(message);
  if (kind == StreamMessage::Begin) {
    if (run_ != 0) throw StorageError("log stream: a second run began in one stream");
    run_ = out_->begin_run(decode_begin(message));
    return;
  }
  if (run_ == 0) throw StorageError("log stream: a message before the run began");
  if (finished_) throw StorageError("log stream: a message after the run's end");
  switch (kind) {
    case StreamMessage::Begin: break;  // taken above
    case StreamMessage::Site: batch_->sites.push_back(decode_site(message)); break;
    case StreamMessage::Event: {
      const EventRecord e = decode_event(message, *batch_);
      last_seq_ = e.seq;
      last_vtime_ns_ = e.vtime_ns;
      ++stats_.events;
      if (batch_->events >= config_.batch_events) write_batch();
      break;
    }
    case StreamMessage::Snapshot:
      batch_->snapshots.push_back(decode_snapshot(message));
      last_snapshot_ = batch_->snapshots.back().seq;
      break;
    case StreamMessage::Schedule:
      batch_->schedule.push_back(decode_schedule(message));
      ++schedule_chunks_;
      break;
    case StreamMessage::Digest: batch_->digests.push_back(decode_digest(message)); break;
    case StreamMessage::Heap: {
      std::uint64_t seq = 0;
      heap_in_.clear();
      decode_heap(message, seq, heap_in_);
      for (const heap::Delta& d : heap_in_) {
        const auto [at, fresh] = heap_numbers_.try_emplace(d.site, static_cast<std::uint32_t>(heap_sites_.size() + 1));
        if (fresh) heap_sites_.push_back(d.site);
        batch_->heap.push_back(
            HeapDelta{seq, d.gid, at->second, d.alloc_objects, d.alloc_bytes, d.free_objects, d.free_bytes});
      }
      break;
    }
    case StreamMessage::End: close(decode_end(message)); break;
    case StreamMessage::Choices:
      decode_choices_message(message, pending_choices_);
      if (pending_choices_.size() >= kScheduleChunk) {
        ScheduleChunk c{schedule_chunks_++, kScheduleChunk, {}};
        encode_choices(std::span<const Choice>(pending_choices_).first(kScheduleChunk), c.data);
        batch_->schedule.push_back(std::move(c));
        pending_choices_.erase(pending_choices_.begin(), pending_choices_.begin() + kScheduleChunk);
      }
      break;
  }
}

void LogStreamWriter::close(RunEnd end) {
  // Decisions that came one message at a time go before those of the end.
  if (end.schedule) {
    pending_choices_.insert(pending_choices_.end(), end.schedule->begin(), end.schedule->end());
    end.schedule = std::move(pending_choices_);
    pending_choices_.clear();
  }
  if (!heap_sites_.empty()) {
    std::vector<std::vector<Frame>> frames;
    if (config_.name_heap_sites) frames = config_.name_heap_sites(heap_sites_);
    for (std::size_t i = 0; i < heap_sites_.size(); ++i) {
      HeapSite s{static_cast<std::uint32_t>(i + 1), {}};
      if (i < frames.size()) s.frames = std::move(frames[i]);
      if (s.frames.empty()) s.frames.push_back(Frame{0, "??", "", 0});
      batch_->heap_sites.push_back(std::move(s));
    }
  }
  write_batch();
  // As the Recorder does in process: the state right after the last event,
  // unless a periodic snapshot holds it. The producer's runtime is gone by
  // its end (or dead), so the state comes from what the log now holds.
  if (last_snapshot_ != last_seq_) {
    EventLogReader log(path_);
    batch_->snapshots.push_back(NewSnapshot{last_seq_, encode_state(log.state_at(run_, last_seq_))});
    last_snapshot_ = last_seq_;
    write_batch();
  }
  out_->finish(end, schedule_chunks_);
  end_ = end;
  end_.schedule.reset();
  finished_ = true;
}

void LogStreamWriter::cut(const RunCut& how) {
  if (run_ == 0) throw StorageError("log stream: no run began, so there is none to cut");
  if (finished_) throw StorageError("log stream: the run already finished");
  Event e;  // no object, no value, no site
  e.seq = last_seq_ + 1;
  e.vtime_ns = last_vtime_ns_;
  e.gid = how.gid;
  e.kind = EventKind::Crash;
  e.text = how.message;
  ValueEncoder no_value;
  append_record(e, SiteNumber{}, no_value, batch_->records);
  ++batch_->events;
  last_seq_ = e.seq;
  ++stats_.events;
  write_batch();

  // The last chunk's digest, which the producer would have sent at its
  // end, over the events as stored, the Crash event included.
  const std::uint64_t chunk = (last_seq_ - 1) / kDigestChunk;
  {
    TraceHasher digest;
    digest.on_run_begin({});
    EventLogReader log(path_);
    EventQuery in_chunk(run_);
    in_chunk.from = chunk * kDigestChunk + 1;
    EventCursor events = log.events(in_chunk);
    StoredEvent stored;
    while (events.next(stored)) digest.on_event(EventView(stored).event());
    batch_->digests.push_back(ChunkDigest{chunk, digest.chunk_digest()});
  }

  // The decisions that arrived are the schedule up to the death.
  close(RunEnd{how.outcome, how.message, how.gid, how.site, last_seq_, last_vtime_ns_, how.trace_hash,
               std::vector<Choice>{}});
}

}  // namespace gorewind::storage
