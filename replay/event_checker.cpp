#include <gorewind/replay/event_checker.hpp>

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace gorewind::replay {

bool same_event(const Event& a, const Event& b) {
  // What the trace hash reads of each field, compared.
  bool same = true;
  for_each_field(
      [&same](std::string_view, const auto& x, const auto& y) {
        using T = std::decay_t<decltype(x)>;
        if (!same) return;
        if constexpr (std::is_same_v<T, std::span<const std::int32_t>>) {
          same = std::ranges::equal(x, y);
        } else if constexpr (std::is_same_v<T, ValueRef>) {
          same = x.to_string() == y.to_string();
        } else if constexpr (std::is_same_v<T, std::source_location>) {
          same = x.line() == y.line() && std::strcmp(x.file_name(), y.file_name()) == 0;
        } else {
          same = x == y;
        }
      },
      a, b);
  return same;
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
  for_each_field(
      [this](std::string_view, auto& stored, const auto& live) {
        using T = std::decay_t<decltype(stored)>;
        if constexpr (std::is_same_v<T, std::vector<std::int32_t>>) stored.assign(live.begin(), live.end());
        else if constexpr (std::is_same_v<T, storage::StoredValue>) stored = encoder_.encode(live);
        else if constexpr (std::is_same_v<T, Site>) stored = Site::from(live);
        else stored = live;
      },
      s, e);
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
