#include <gorewind/replay/event_checker.hpp>

#include <algorithm>
#include <cstring>

namespace gorewind::replay {

bool same_event(const Event& a, const Event& b) {
  return a.seq == b.seq && a.vtime_ns == b.vtime_ns && a.gid == b.gid && a.kind == b.kind &&
         a.obj_kind == b.obj_kind && a.obj == b.obj && a.peer == b.peer && a.reason == b.reason && a.ok == b.ok &&
         a.select_case == b.select_case && std::ranges::equal(a.ready, b.ready) && a.cause == b.cause &&
         a.amount == b.amount && a.counter == b.counter && a.type_name == b.type_name && a.text == b.text &&
         a.site.line() == b.site.line() && std::strcmp(a.site.file_name(), b.site.file_name()) == 0 &&
         a.value.to_string() == b.value.to_string();
}

EventChecker::EventChecker(storage::EventLogReader& log, std::int64_t run) : log_(log), run_(run) { log_.run(run); }

void EventChecker::on_run_begin(const RunInfo&) {
  divergence_.reset();
  matched_ = 0;
  error_ = nullptr;
  goroutine_names_.clear();
  object_names_.clear();
  try {
    cursor_.emplace(log_.events(run_));
  } catch (...) {
    error_ = std::current_exception();
  }
}

bool EventChecker::next_recorded() {
  try {
    return cursor_ && cursor_->next(recorded_);
  } catch (...) {
    error_ = std::current_exception();
    return false;
  }
}

storage::StoredEvent EventChecker::live_event(const Event& e) {
  storage::StoredEvent s;
  s.seq = e.seq;
  s.vtime_ns = e.vtime_ns;
  s.gid = e.gid;
  s.kind = e.kind;
  s.obj_kind = e.obj_kind;
  s.obj = e.obj;
  s.peer = e.peer;
  s.reason = e.reason;
  s.ok = e.ok;
  s.select_case = e.select_case;
  s.ready.assign(e.ready.begin(), e.ready.end());
  s.cause = e.cause;
  s.amount = e.amount;
  s.counter = e.counter;
  s.value = encoder_.encode(e.value);
  s.type_name = e.type_name;
  s.text = e.text;
  s.site = Site::from(e.site);
  if (auto it = goroutine_names_.find(e.gid); it != goroutine_names_.end()) s.goroutine_name = it->second;
  if (auto it = object_names_.find(e.obj); e.obj != 0 && it != object_names_.end()) s.object_name = it->second;
  return s;
}

void EventChecker::on_event(const Event& e) {
  // Names for a divergence report, as the live run gave them.
  if (e.kind == EventKind::Spawn) goroutine_names_[e.peer] = std::string(e.text);
  if (e.kind == EventKind::Make) object_names_[e.obj] = std::string(e.text);
  if (divergence_ || error_) return;
  if (!next_recorded()) {
    if (!error_) divergence_ = Divergence{e.seq, std::nullopt, live_event(e)};
    return;
  }
  const storage::EventView recorded(recorded_);
  if (same_event(e, recorded.event())) {
    ++matched_;
    return;
  }
  divergence_ = Divergence{e.seq, recorded_, live_event(e)};
}

void EventChecker::on_run_end(const RunResult&) {
  // A re-execution that ended before its recording did.
  if (!divergence_ && !error_ && next_recorded()) divergence_ = Divergence{recorded_.seq, recorded_, std::nullopt};
  cursor_.reset();
}

}  // namespace gorewind::replay
