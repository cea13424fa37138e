#include <gorewind/surw_strategy.hpp>

#include <algorithm>

namespace gorewind {

namespace {

// operation() says whether e is a goroutine's operation on an object, the
// kind of step SURW counts: not the runtime's (wakes, timers firing) nor an
// object's creation.
bool operation(const Event& e) {
  if (e.gid == 0 || e.obj == 0) return false;
  switch (e.kind) {
    case EventKind::Send:
    case EventKind::Recv:
    case EventKind::Close:
    case EventKind::Lock:
    case EventKind::Unlock:
    case EventKind::RLock:
    case EventKind::RUnlock:
    case EventKind::WgAdd:
    case EventKind::WgWait:
    case EventKind::OnceBegin:
    case EventKind::CondWait:
    case EventKind::CondSignal:
    case EventKind::CondBroadcast:
    case EventKind::Cancel:
    case EventKind::TimerStop:
    case EventKind::TimerReset:
    case EventKind::Load:
    case EventKind::Store:
      return true;
    default:
      return false;
  }
}

template <class T>
T& at(std::vector<T>& v, std::size_t i) {
  if (v.size() <= i) v.resize(i + 1, T{});
  return v[i];
}

}  // namespace

SurwStrategy::SurwStrategy() = default;

void SurwStrategy::Profile::on_run_begin(const RunInfo&) {
  parent_.clear();
  children_.clear();
  first_user_.clear();
  uses_.clear();
  s_.child_.clear();
  s_.shared_.clear();
  s_.shared_chan_ = false;
}

void SurwStrategy::Profile::on_event(const Event& e) {
  if (e.kind == EventKind::Spawn) {
    at(parent_, e.peer) = e.gid;
    s_.child_[{e.gid, at(children_, e.gid)++}] = e.peer;
    return;
  }
  if (!operation(e)) return;
  ++uses_[{e.gid, e.obj}];
  const auto [it, first] = first_user_.try_emplace(e.obj, e.gid);
  if (!first && it->second != e.gid) {
    at(s_.shared_, e.obj) = 1;
    s_.shared_chan_ = s_.shared_chan_ || e.obj_kind == ObjKind::Chan;
  }
}

void SurwStrategy::Profile::on_run_end(const RunResult&) {
  std::vector<std::uint64_t>& w = s_.weight_;
  w.assign(std::max<std::size_t>(parent_.size(), 2), 0);
  for (const auto& [use, count] : uses_)
    if (use.second < s_.shared_.size() && s_.shared_[use.second]) at(w, use.first) += count;
  // A child's gid is above its parent's: one pass from the top adds each
  // goroutine's descendants into it.
  for (std::size_t g = parent_.size(); g-- > 1;) w[parent_[g]] += w[g];
  s_.profiled_ = true;
}

void SurwStrategy::Watch::on_event(const Event& e) {
  if (e.kind == EventKind::Spawn) return s_.spawned(e.gid, e.peer);
  if (operation(e) && s_.interesting({e.obj_kind, e.obj, true})) {
    std::uint64_t& l = s_.left(e.gid);
    if (l > 0) --l;
  }
}

void SurwStrategy::begin_run(std::uint64_t seed) {
  rng_ = Prng(seed);
  known_as_.assign(1, 0);
  children_.assign(1, 0);
  left_.assign(1, 0);
  intended_ = 0;
  held_.clear();
}

std::uint64_t& SurwStrategy::left(Gid g) { return at(left_, g); }

bool SurwStrategy::interesting(const Access& a) const {
  if (a.kind == ObjKind::None) return false;
  if (a.obj == 0) return a.kind == ObjKind::Chan && shared_chan_;
  return a.obj < shared_.size() && shared_[a.obj];
}

// spawned() gives the child the weight the profile found for it and takes
// it from its parent, whose weight included it. When the parent was the one
// drawn to go next, the draw may have been for one of the child's
// operations: it moves to the child in proportion.
void SurwStrategy::spawned(Gid parent, Gid child) {
  const Gid known_parent = at(known_as_, parent);
  const auto it = child_.find({known_parent, at(children_, parent)++});
  const Gid known = it != child_.end() && (known_parent != 0 || parent == 0) ? it->second : 0;
  at(known_as_, child) = known;
  const std::uint64_t w = known < weight_.size() ? weight_[known] : 0;
  left(child) = w;
  std::uint64_t& p = left(parent);
  if (intended_ == parent && w > 0 && rng_.below(std::max<std::uint64_t>(p, 1)) < w) intended_ = child;
  p -= std::min(p, w);
}

std::size_t SurwStrategy::pick_goroutine(const Runnable& options) {
  std::vector<std::size_t>& free = free_;
  for (;;) {
    free.clear();
    for (std::size_t i = 0; i < options.size(); ++i)
      if (std::find(held_.begin(), held_.end(), options[i]) == held_.end()) free.push_back(i);
    if (free.empty()) {
      held_.clear();
      intended_ = 0;
      continue;
    }
    const std::size_t c = free[rng_.below(free.size())];
    if (!interesting(options.access(c))) return c;
    const Gid g = options[c];
    if (left(g) == 0) left(g) = 1;
    if (intended_ == 0) {
      std::uint64_t total = 0;
      for (std::size_t i : free) total += left(options[i]);
      std::uint64_t r = rng_.below(total);
      for (std::size_t i : free) {
        const std::uint64_t w = left(options[i]);
        if (r < w) {
          intended_ = options[i];
          break;
        }
        r -= w;
      }
    }
    if (g == intended_) {
      held_.clear();
      intended_ = 0;
      return c;
    }
    held_.push_back(g);
  }
}

std::size_t SurwStrategy::pick(Decision, std::size_t n) { return rng_.below(n); }

}  // namespace gorewind
