#include <gorewind/replay/timeline.hpp>

#include <algorithm>

#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/replay_error.hpp>

namespace gorewind::replay {
namespace {

// in_range() narrows q to the events strictly after (forward) or before
// (backward) from, walked in that direction; false when there are none.
bool in_range(storage::EventQuery& q, Mark from, bool forward, Mark end) {
  q.direction = forward ? storage::Direction::Forward : storage::Direction::Backward;
  if (forward ? from >= end : from == 0) return false;
  q.from = forward ? from + 1 : 1;
  q.to = forward ? end : from - 1;
  return true;
}

// sooner() says whether a comes before b in the walk's direction.
bool sooner(Mark a, Mark b, bool forward) { return forward ? a < b : a > b; }

}  // namespace

Timeline::Timeline(storage::EventLogReader& log, std::int64_t run) : log_(log), run_(log.run(run)) {
  if (!run_.outcome.empty() && run_.outcome != "ok") {
    failure_ = run_.events;
    // A leak is found at main's exit, but it happened where the goroutine
    // that leaked parked for the last time: the first one left blocked.
    if (run_.outcome == "leak") {
      for (const GoroutineInfo& g : log_state_at(log_, run_.id, run_.events).goroutines) {
        if (g.status != GoroutineStatus::Blocked) continue;
        storage::EventQuery park(run_.id);
        park.kinds = {EventKind::Park};
        park.goroutines = {g.gid};
        park.direction = storage::Direction::Backward;
        if (const auto e = log_.first(park)) failure_ = e->seq;
        break;
      }
    }
  }
  pos_ = opening();
}

void Timeline::use_processes(ProcessStates* states, void (*body)(), std::string why_not) {
  processes_ = states;
  body_ = body;
  no_processes_ = std::move(why_not);
}

Mark Timeline::opening() const {
  if (failure_ != 0) return failure_;
  return run_.outcome == "ok" ? 0 : run_.events;
}

Stop Timeline::seek(Mark m) {
  if (m > run_.events) throw ReplayError(storage::beyond_run(run_, m));
  pos_ = m;
  return Stop{pos_, StopReason::Step, {}};
}

Stop Timeline::step(std::uint64_t n) {
  const std::uint64_t room = run_.events - pos_;
  pos_ += std::min(n, room);
  return Stop{pos_, n <= room ? StopReason::Step : StopReason::End, {}};
}

Stop Timeline::back(std::uint64_t n) {
  const std::uint64_t room = pos_;
  pos_ -= std::min(n, room);
  return Stop{pos_, n <= room ? StopReason::Step : StopReason::Start, {}};
}

Stop Timeline::continue_forward() { return resume(true, std::nullopt); }
Stop Timeline::continue_backward() { return resume(false, std::nullopt); }
Stop Timeline::next(Gid g) { return resume(true, goroutine_event(g, true)); }
Stop Timeline::reverse_next(Gid g) { return resume(false, goroutine_event(g, false)); }
Stop Timeline::finish(Gid g, std::size_t frame) { return resume(true, finish_target(g, frame, true)); }
Stop Timeline::reverse_finish(Gid g, std::size_t frame) { return resume(false, finish_target(g, frame, false)); }

std::optional<Mark> Timeline::goroutine_event(Gid g, bool forward) {
  storage::EventQuery q(run_.id);
  q.goroutines = {g};
  if (!in_range(q, pos_, forward, run_.events)) return std::nullopt;
  const auto e = log_.first(q);
  return e ? std::optional<Mark>(e->seq) : std::nullopt;
}

std::size_t Timeline::depth(Gid g, Mark seq) {
  if (!processes_) throw ReplayError(no_processes_);
  const ProcessState& p = processes_->at(run_, body_, seq);
  for (const NativeStack& s : p.stacks)
    if (s.gid == g) return processes_->user_frames(s).size();
  return 0;  // exited: out of every frame
}

std::optional<Mark> Timeline::finish_target(Gid g, std::size_t frame, bool forward) {
  const std::size_t here = frames(g).size();
  if (here <= frame)
    throw ReplayError("goroutine " + std::to_string(g) + " has no frame " + std::to_string(frame) + " at seq " +
                      std::to_string(pos_));
  // Each of g's events is asked for its stack in turn: process state is a
  // re-execution, so this costs a little per event, and only finish pays.
  storage::EventQuery q(run_.id);
  q.goroutines = {g};
  if (!in_range(q, pos_, forward, run_.events)) return std::nullopt;
  std::vector<Mark> seqs;
  storage::EventCursor cursor = log_.events(q);
  for (storage::StoredEvent e; cursor.next(e);) seqs.push_back(e.seq);
  for (const Mark seq : seqs)
    if (depth(g, seq) < here - frame) return seq;
  return std::nullopt;
}

Stop Timeline::resume(bool forward, std::optional<Mark> target) {
  if (forward && failure_ > pos_ && (!target || failure_ < *target)) target = failure_;
  for (Mark from = pos_;;) {
    std::optional<Mark> best = target;
    std::vector<Breakpoint*> matched;
    for (Breakpoint& b : breakpoints_) {
      if (!b.enabled) continue;
      storage::EventQuery q = b.where;
      if (b.condition) q.condition = q.condition ? all_of(*q.condition, *b.condition) : *b.condition;
      if (!in_range(q, from, forward, run_.events)) continue;
      const auto e = log_.first(q);
      if (!e || (best && sooner(*best, e->seq, forward))) continue;
      if (!best || sooner(e->seq, *best, forward)) matched.clear();
      best = e->seq;
      matched.push_back(&b);
    }
    if (!best) {
      pos_ = forward ? run_.events : 0;
      return Stop{pos_, forward ? StopReason::End : StopReason::Start, {}};
    }
    std::vector<int> stopping;
    bool any_breakpoint = false;
    for (Breakpoint* b : matched) {
      ++b->hits;
      if (b->ignore > 0) {
        --b->ignore;
        continue;
      }
      stopping.push_back(b->id);
      any_breakpoint = any_breakpoint || !b->watchpoint;
    }
    if (stopping.empty() && best != target) {
      from = *best;  // every match there was ignored: walk on past it
      continue;
    }
    pos_ = *best;
    if (stopping.empty()) return Stop{pos_, pos_ == failure_ && forward ? StopReason::Failure : StopReason::Step, {}};
    std::erase_if(breakpoints_, [&](const Breakpoint& b) {
      return b.temporary && std::find(stopping.begin(), stopping.end(), b.id) != stopping.end();
    });
    return Stop{pos_, any_breakpoint ? StopReason::Breakpoint : StopReason::Watchpoint, std::move(stopping)};
  }
}

int Timeline::add(Breakpoint b) {
  b.id = next_id_++;
  b.where.run = run_.id;
  breakpoints_.push_back(std::move(b));
  return breakpoints_.back().id;
}

Breakpoint& Timeline::breakpoint(int id) {
  const auto it = std::find_if(breakpoints_.begin(), breakpoints_.end(), [&](const Breakpoint& b) { return b.id == id; });
  if (it == breakpoints_.end()) throw ReplayError("no breakpoint " + std::to_string(id));
  return *it;
}

void Timeline::remove(int id) {
  Breakpoint& b = breakpoint(id);
  breakpoints_.erase(breakpoints_.begin() + (&b - breakpoints_.data()));
}

storage::StoredEvent Timeline::event(Mark seq) {
  storage::EventQuery only(run_.id);
  only.from = only.to = seq;
  const auto e = seq == 0 ? std::nullopt : log_.first(only);
  if (!e) throw ReplayError("event " + std::to_string(seq) + " is missing from the log");
  return *e;
}

Mark Timeline::cause_of(Mark seq) {
  const storage::StoredEvent e = event(seq);
  if (e.cause != 0) return e.cause;
  // A lock's cause is the release it came after: the last unlock of the
  // lock (for a write lock of an RWMutex, also the last read unlock). The
  // log holds both, so this is a query, not a field.
  storage::EventQuery release(run_.id);
  if (e.kind == EventKind::Lock && e.obj_kind == ObjKind::RWMutex) release.kinds = {EventKind::Unlock, EventKind::RUnlock};
  else if (e.kind == EventKind::Lock || e.kind == EventKind::RLock) release.kinds = {EventKind::Unlock};
  else return 0;
  release.to = e.seq - 1;
  release.direction = storage::Direction::Backward;
  release.obj_kind = e.obj_kind;
  release.objects = {e.obj};
  const auto found = log_.first(release);
  return found ? found->seq : 0;
}

RuntimeState Timeline::log_state() { return log_state_at(log_, run_.id, pos_); }

const ProcessState& Timeline::process_state() {
  if (!processes_) throw ReplayError(no_processes_);
  return processes_->at(run_, body_, pos_);
}

std::vector<Frame> Timeline::frames(Gid g) {
  const ProcessState& p = process_state();
  for (const NativeStack& s : p.stacks)
    if (s.gid == g) return processes_->user_frames(s);
  throw ReplayError("no goroutine " + std::to_string(g) + " at seq " + std::to_string(pos_));
}

std::map<std::string, std::string> Timeline::locals(Gid g) {
  storage::EventQuery set(run_.id);
  set.kinds = {EventKind::Watch};
  set.goroutines = {g};
  set.to = pos_;
  const RuntimeState s = log_state();
  std::map<std::string, std::string> out;
  storage::EventCursor cursor = log_.events(set);
  for (storage::StoredEvent e; cursor.next(e);)
    if (const auto it = s.watched.find(e.text); it != s.watched.end()) out.insert(*it);
  return out;
}

std::string Timeline::evaluate(std::string_view expr) {
  const RuntimeState s = log_state();
  if (const auto it = s.watched.find(std::string(expr)); it != s.watched.end()) return it->second;
  using storage::EventCondition;
  // A field alone, by the condition language's names for them.
  std::optional<EventCondition::Field> field;
  if (expr.find_first_of(" =!<>") == std::string_view::npos) {
    field = EventCondition::field_named(expr);
    if (!field) {
      std::string known;
      for (const auto& [name, value] : s.watched) known += (known.empty() ? "" : ", ") + name;
      throw ReplayError("no watched value or event field '" + std::string(expr) + "' at seq " +
                        std::to_string(pos_) + (known.empty() ? " (no watched values yet)" : " (watched: " + known + ")"));
    }
  }
  if (pos_ == 0) throw ReplayError("no event at seq 0: its fields are the current event's");
  if (!field) {
    storage::EventQuery here(run_.id);
    here.from = here.to = pos_;
    here.condition = EventCondition::parse(expr);
    return log_.count(here) != 0 ? "true" : "false";
  }
  const storage::StoredEvent e = event(pos_);
  using F = EventCondition::Field;
  switch (*field) {
    case F::Goroutine: return std::to_string(e.gid);
    case F::Seq: return std::to_string(e.seq);
    case F::Time: return std::to_string(e.vtime_ns);
    case F::Value: return e.value_text();
    case F::Peer: return std::to_string(e.peer);
    case F::Obj: return std::to_string(e.obj);
    case F::Amount: return std::to_string(e.amount);
    case F::Counter: return std::to_string(e.counter);
    case F::Case: return std::to_string(e.select_case);
    case F::P: return std::to_string(e.p);
    case F::M: return std::to_string(e.m);
  }
  return {};
}

}  // namespace gorewind::replay
