#include <gorewind/storage/event_log_writer.hpp>

#include <cstring>
#include <functional>

#include <gorewind/storage/storage_error.hpp>

#include "batch_writer.hpp"
#include "event_batch.hpp"
#include "log_stream.hpp"
#include <gorewind/storage/schedule_codec.hpp>
#include "steady_clock_ns.hpp"

namespace gorewind::storage {
std::size_t EventLogWriter::SiteKeyHash::operator()(const SiteKey& k) const noexcept {
  // Only a cache key: site numbers are handed out in order of first use,
  // whatever the addresses.
  return std::hash<const void*>()(k.file) ^ (std::hash<const void*>()(k.function) << 1) ^ (k.line * 0x9e3779b9u);
}

EventLogWriter::EventLogWriter(const std::string& path, Config config)
    : config_(config), out_(std::make_unique<BatchWriter>(path)) {}

EventLogWriter::EventLogWriter(LogSink& sink, Config config) : config_(config), sink_(&sink) {
  // One event at a time goes out, so one batch is all the caller fills.
  config_.threading = Threading::Synchronous;
}

EventLogWriter::~EventLogWriter() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
}

std::int64_t EventLogWriter::begin_run(const RunHeader& header) {
  if (sink_ != nullptr) {
    encode_begin(header, message_);
    sink_->put(message_);
    run_ = 0;
  } else {
    run_ = out_->begin_run(header);
  }
  hasher_.on_run_begin(RunInfo{});
  stats_ = {};
  sites_.clear();
  last_site_ = {nullptr, nullptr, 0};
  last_site_id_ = 0;
  last_seq_ = 0;
  error_ = nullptr;
  failed_ = false;
  closing_ = false;
  writing_ = 0;
  full_.clear();
  free_.clear();
  const std::size_t batches = config_.threading == Threading::Background ? config_.batches_in_flight + 1 : 1;
  for (std::size_t i = 0; i < batches; ++i) {
    auto b = std::make_unique<EventBatch>();
    free_.push_back(std::move(b));
  }
  filling_ = std::move(free_.back());
  free_.pop_back();
  if (config_.threading == Threading::Background) thread_ = std::thread([this] { writer_loop(); });
  return run_;
}

std::uint32_t EventLogWriter::site_of(const std::source_location& loc) {
  const char* file = loc.file_name();
  if (file == nullptr || file[0] == '\0') return 0;
  const SiteKey key{file, loc.function_name(), loc.line()};
  if (key == last_site_) return last_site_id_;
  auto [it, added] = sites_.try_emplace(key, static_cast<std::uint32_t>(sites_.size() + 1));
  if (added) filling_->sites.push_back(NewSite{it->second, file, loc.line(), loc.function_name()});
  last_site_ = key;
  last_site_id_ = it->second;
  return it->second;
}

void EventLogWriter::append(const Event& e) noexcept {
  try {
    // The trace hash covers every event, also those a failed write drops.
    hasher_.on_event(e);
    if (failed_.load(std::memory_order_relaxed)) return;
    EventBatch& b = *filling_;
    append_record(e, SiteNumber{site_of(e.site)}, encoder_, b.records);
    ++b.events;
    last_seq_ = e.seq;
    if (e.seq % kDigestChunk == 0) b.digests.push_back(ChunkDigest{e.seq / kDigestChunk - 1, hasher_.chunk_digest()});
    ++stats_.events;
    if (sink_ != nullptr || b.events >= config_.batch_events) hand_over();
  } catch (...) {
    record_failure();
  }
}

void EventLogWriter::add_snapshot(std::uint64_t seq, std::string state) noexcept {
  if (failed_.load(std::memory_order_relaxed)) return;
  try {
    filling_->snapshots.push_back(NewSnapshot{seq, std::move(state)});
    if (sink_ != nullptr) hand_over();
  } catch (...) {
    record_failure();
  }
}

void EventLogWriter::add_schedule_chunk(std::span<const Choice> choices) noexcept {
  if (failed_.load(std::memory_order_relaxed)) return;
  try {
    ScheduleChunk c{schedule_chunks_++, choices.size(), {}};
    encode_choices(choices, c.data);
    filling_->schedule.push_back(std::move(c));
    if (sink_ != nullptr) hand_over();
  } catch (...) {
    record_failure();
  }
}

void EventLogWriter::add_choices(std::span<const Choice> choices) noexcept {
  if (sink_ == nullptr || failed_.load(std::memory_order_relaxed)) return;
  try {
    encode_choices_message(choices, message_);
    sink_->put(message_);
  } catch (...) {
    record_failure();
  }
}

void EventLogWriter::add_heap(std::uint64_t seq, std::span<const heap::Delta> deltas) noexcept {
  if (sink_ == nullptr || failed_.load(std::memory_order_relaxed)) return;
  try {
    encode_heap(seq, deltas, message_);
    sink_->put(message_);
  } catch (...) {
    record_failure();
  }
}

void EventLogWriter::record_failure() noexcept {
  std::lock_guard lock(mu_);
  if (!error_) error_ = std::current_exception();
  failed_ = true;
}

void EventLogWriter::hand_over() noexcept {
  if (filling_->empty()) return;
  if (config_.threading == Threading::Synchronous) {
    try {
      if (sink_ != nullptr)
        stream(*filling_);
      else
        out_->write(*filling_, stats_);
    } catch (...) {
      record_failure();
    }
    filling_->clear();
    return;
  }
  const std::uint64_t t0 = steady_clock_ns();
  std::unique_lock lock(mu_);
  full_.push_back(std::move(filling_));
  ++writing_;
  cv_.notify_all();
  cv_.wait(lock, [this] { return !free_.empty(); });
  filling_ = std::move(free_.back());
  free_.pop_back();
  stats_.caller_wait_ns += steady_clock_ns() - t0;
}

void EventLogWriter::stream(const EventBatch& batch) {
  // In the order BatchWriter writes a batch: sites before the events that
  // use their numbers.
  for (const NewSite& s : batch.sites) {
    encode_site(s, message_);
    sink_->put(message_);
  }
  // Every event is handed over on its own (append()), so the batch's
  // records are at most one event's, and go as they are.
  if (batch.events != 0) {
    encode_event(batch.records, message_);
    sink_->put(message_);
  }
  for (const ChunkDigest& d : batch.digests) {
    encode_digest(d, message_);
    sink_->put(message_);
  }
  for (const ScheduleChunk& c : batch.schedule) {
    encode_schedule(c, message_);
    sink_->put(message_);
  }
  for (const NewSnapshot& s : batch.snapshots) {
    encode_snapshot(s, message_);
    sink_->put(message_);
  }
}

void EventLogWriter::writer_loop() {
  WriterStats mine;
  for (;;) {
    std::unique_ptr<EventBatch> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !full_.empty() || closing_; });
      if (full_.empty()) break;
      batch = std::move(full_.front());
      full_.erase(full_.begin());
    }
    // After a failure batches are only recycled, so the caller never waits
    // for a writer that has stopped writing.
    if (!failed_.load()) {
      try {
        out_->write(*batch, mine);
      } catch (...) {
        record_failure();
      }
    }
    batch->clear();
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(batch));
      --writing_;
    }
    cv_.notify_all();
  }
  std::lock_guard lock(mu_);
  stats_.insert_ns += mine.insert_ns;
  stats_.commit_ns += mine.commit_ns;
  stats_.batches += mine.batches;
}

void EventLogWriter::flush() noexcept {
  hand_over();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return writing_ == 0; });
}

void EventLogWriter::finish_run(const RunEnd& end) {
  // The last, partial chunk has a digest too.
  if (last_seq_ % kDigestChunk != 0 && !failed_)
    filling_->digests.push_back(ChunkDigest{last_seq_ / kDigestChunk, hasher_.chunk_digest()});
  hand_over();
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  if (error_) std::rethrow_exception(error_);
  if (sink_ != nullptr) {
    encode_end(end, message_);
    sink_->put(message_);
  } else {
    out_->finish(end, schedule_chunks_);
  }
}

}  // namespace gorewind::storage
