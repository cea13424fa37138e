// event_checker.hpp: the observer that holds a re-execution to its log.
//
// EventChecker streams a recorded run's events from the log beside the live
// run and compares each live event with the stored one of the same seq, on
// every field the trace hash covers (so "no mismatch" means "same trace
// hash"). It remembers the first mismatch and stops comparing there: what
// follows a divergence says nothing new.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>

#include <gorewind/observer.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/stored_event.hpp>
#include <gorewind/storage/value_codec.hpp>

namespace gorewind::replay {

// same_event() says whether live and recorded agree on every field
// TraceHasher hashes: seq, virtual time, goroutine, kind, object, peer,
// reason, ok, select case, ready list, cause, amounts, the value's text,
// type name, text, and the site's file and line.
bool same_event(const Event& live, const Event& recorded);

// Divergence is the first place a re-execution left its recording.
struct Divergence {
  std::uint64_t seq = 0;
  // expected is the recorded event at seq; nullopt when the recording had
  // ended (the re-execution went on).
  std::optional<storage::StoredEvent> expected;
  // actual is the live event at seq; nullopt when the re-execution ended
  // first. Its goroutine and object names are those the live run gave.
  std::optional<storage::StoredEvent> actual;
};

class EventChecker final : public Observer {
 public:
  // EventChecker() compares against run's events in log; the log must
  // outlive the checker. Throws storage::StorageError for an unknown run.
  EventChecker(storage::EventLogReader& log, std::int64_t run);

  void on_run_begin(const RunInfo& info) override;
  void on_event(const Event& e) override;
  void on_run_end(const RunResult& r) override;

  // divergence() is the first mismatch of the last run; nullopt when every
  // event matched and the run ended where the recording did.
  const std::optional<Divergence>& divergence() const { return divergence_; }
  // matched() counts the events that matched before any divergence.
  std::uint64_t matched() const { return matched_; }
  // rethrow_error() throws the storage::StorageError that stopped the
  // comparison of the last run, if any.
  void rethrow_error() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // live_event() copies e with the names the live run gave.
  storage::StoredEvent live_event(const Event& e);
  // next_recorded() reads the next stored event into recorded_; false at
  // the recording's end.
  bool next_recorded();

  storage::EventLogReader& log_;
  std::int64_t run_;
  std::optional<storage::EventCursor> cursor_;
  storage::StoredEvent recorded_;
  storage::ValueEncoder encoder_;
  std::map<Gid, std::string> goroutine_names_;
  std::map<std::uint32_t, std::string> object_names_;
  std::optional<Divergence> divergence_;
  std::uint64_t matched_ = 0;
  // A storage failure while streaming is kept and rethrown after the run:
  // an observer must not throw into the runtime.
  std::exception_ptr error_;
};

}  // namespace gorewind::replay
