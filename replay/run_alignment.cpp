#include <gorewind/replay/run_alignment.hpp>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include <gorewind/replay/run_identity.hpp>

namespace gorewind::replay {
namespace {

// Events in a row that must match for the streams to count as met again.
constexpr std::size_t kMeetRun = 4;

// An operation is what a goroutine itself did; switches, parks and wakes
// come and go with the schedule.
bool is_operation(EventKind k) { return k != EventKind::Switch && k != EventKind::Park && k != EventKind::Wake; }

struct Keyed {
  storage::StoredEvent event;
  std::string key;
};

// Stream is one run's events from the divergence on, each with its
// alignment key, read ahead as far as asked.
class Stream {
 public:
  Stream(storage::EventLogReader& log, std::int64_t run, std::uint64_t from)
      : ids_(RunIdentity::load(log, run)), cursor_(open(log, run, from)) {
    // Operations before the divergence, per goroutine, so the counts go on from there.
    storage::EventQuery before(run);
    before.to = from == 0 ? 0 : from - 1;
    for (int k = 0; k <= static_cast<int>(kLastEventKind); ++k)
      if (is_operation(static_cast<EventKind>(k))) before.kinds.push_back(static_cast<EventKind>(k));
    ops_ = log.count_by_goroutine(before);
  }

  // at() is the i-th event ahead; nullptr past the run's end.
  const Keyed* at(std::size_t i) {
    while (ahead_.size() <= i && !ended_) {
      Keyed k;
      if (!cursor_.next(k.event)) {
        ended_ = true;
        break;
      }
      k.key = key_of(k.event);
      ahead_.push_back(std::move(k));
    }
    return i < ahead_.size() ? &ahead_[i] : nullptr;
  }

  // take() removes the first n events ahead (they must have been read).
  void take(std::size_t n) { ahead_.erase(ahead_.begin(), ahead_.begin() + static_cast<std::ptrdiff_t>(n)); }

 private:
  static storage::EventCursor open(storage::EventLogReader& log, std::int64_t run, std::uint64_t from) {
    storage::EventQuery q(run);
    q.from = from;
    return log.events(q);
  }

  std::string key_of(const storage::StoredEvent& e) {
    // The runtime (timers) has no program order: its events are placed by
    // virtual time instead of a count.
    std::uint64_t& ops = ops_[e.gid];
    std::string key = ids_.path(e.gid) + "|" + (e.gid == 0 ? "at " + std::to_string(e.vtime_ns) : std::to_string(ops)) +
                      "|" + std::string(to_string(e.kind));
    if (is_operation(e.kind)) ++ops;
    if (e.obj != 0) key += "|" + ids_.object(e.obj);
    if (e.kind == EventKind::Select) key += "|case " + std::to_string(e.select_case);
    if (e.value.form != storage::ValueForm::None) key += "|" + e.value_text();
    if (!e.text.empty()) key += "|" + e.text;
    return key;
  }

  RunIdentity ids_;
  storage::EventCursor cursor_;
  std::map<Gid, std::uint64_t> ops_;
  std::deque<Keyed> ahead_;
  bool ended_ = false;
};

// met() says whether the streams agree for kMeetRun events from a's p-th
// and b's q-th event on, or both end there.
bool met(Stream& a, Stream& b, std::size_t p, std::size_t q) {
  for (std::size_t r = 0; r < kMeetRun; ++r) {
    const Keyed* x = a.at(p + r);
    const Keyed* y = b.at(q + r);
    if (x == nullptr || y == nullptr) return x == y;
    if (x->key != y->key) return false;
  }
  return true;
}

// meeting_point() is (p, q) with the smallest p + q where the streams meet
// again, looking at most window events ahead on each side; nullopt when they
// do not meet within it. A candidate found at step t has max(p, q) = t, so
// once t reaches the best sum found no later one can beat it.
std::optional<std::pair<std::size_t, std::size_t>> meeting_point(Stream& a, Stream& b, std::size_t window) {
  std::unordered_multimap<std::string, std::size_t> seen_a, seen_b;
  std::optional<std::size_t> end_a, end_b;
  std::optional<std::pair<std::size_t, std::size_t>> best;
  // Of two points as near, the one earlier in a wins, whatever order the
  // hash maps list them in.
  auto consider = [&](std::size_t p, std::size_t q) {
    const bool nearer = !best || p + q < best->first + best->second ||
                        (p + q == best->first + best->second && p < best->first);
    if (nearer && met(a, b, p, q)) best = {p, q};
  };
  for (std::size_t t = 0; t <= window; ++t) {
    if (best && t >= best->first + best->second) break;
    const Keyed* x = a.at(t);
    const Keyed* y = b.at(t);
    if (x == nullptr && !end_a) end_a = t;
    if (y == nullptr && !end_b) end_b = t;
    if (x != nullptr) {
      seen_a.emplace(x->key, t);
      auto [from, to] = seen_b.equal_range(x->key);
      for (auto it = from; it != to; ++it) consider(t, it->second);
    }
    if (y != nullptr) {
      seen_b.emplace(y->key, t);
      auto [from, to] = seen_a.equal_range(y->key);
      for (auto it = from; it != to; ++it) consider(it->second, t);
    }
    if (end_a && end_b) consider(*end_a, *end_b);
    if (x == nullptr && y == nullptr) break;
  }
  return best;
}

// Moves matches the events of hunks: first within a hunk, then with the
// events of earlier hunks that found no match yet (a goroutine's operation
// that one run made before the other).
class Moves {
 public:
  // fill() lists and counts one side (side_a: run a's) of hunk `index`,
  // mine's first n events against other's first m.
  void fill(std::vector<Hunk>& hunks, std::size_t index, bool side_a, Stream& mine, std::size_t n, Stream& other,
            std::size_t m, std::size_t listed) {
    std::unordered_map<std::string, std::size_t> theirs;
    for (std::size_t i = 0; i < m; ++i) ++theirs[other.at(i)->key];
    Hunk& h = hunks[index];
    std::vector<HunkEvent>& out = side_a ? h.a : h.b;
    for (std::size_t i = 0; i < n; ++i) {
      const Keyed& k = *mine.at(i);
      bool moved = false;
      if (auto it = theirs.find(k.key); it != theirs.end() && it->second > 0) {
        --it->second;
        moved = true;
      } else if (auto w = waiting(!side_a).find(k.key); w != waiting(!side_a).end() && !w->second.empty()) {
        // An earlier hunk's event, until now only in the other run.
        const Unmatched u = w->second.front();
        w->second.pop_front();
        Hunk& earlier = hunks[u.hunk];
        (side_a ? earlier.only_b : earlier.only_a) -= 1;
        (side_a ? earlier.moved_b : earlier.moved_a) += 1;
        if (u.listed != kNotListed) (side_a ? earlier.b : earlier.a)[u.listed].moved = true;
        moved = true;
      }
      (moved ? (side_a ? h.moved_a : h.moved_b) : (side_a ? h.only_a : h.only_b)) += 1;
      const std::size_t at = out.size() < listed ? out.size() : kNotListed;
      if (at != kNotListed) out.push_back(HunkEvent{k.event, moved});
      if (!moved) waiting(side_a)[k.key].push_back(Unmatched{index, at});
    }
  }

 private:
  static constexpr std::size_t kNotListed = static_cast<std::size_t>(-1);
  struct Unmatched {
    std::size_t hunk;
    std::size_t listed;  // its place in the hunk's list, or kNotListed
  };
  using Waiting = std::unordered_map<std::string, std::deque<Unmatched>>;
  Waiting& waiting(bool side_a) { return side_a ? waiting_a_ : waiting_b_; }
  Waiting waiting_a_, waiting_b_;  // events of hunks with no match yet, per key, oldest first
};

}  // namespace

Alignment align_runs(storage::EventLogReader& log_a, storage::EventLogReader& log_b, const RunDiff& first,
                     const AlignOptions& options) {
  Alignment al;
  al.common = first.common;
  if (first.identical()) return al;
  const std::uint64_t from = *first.divergence;
  Stream a(log_a, first.a.id, from);
  Stream b(log_b, first.b.id, from);
  std::uint64_t next_a = from, next_b = from;  // seqs of the first events ahead
  Moves moves;
  for (;;) {
    const Keyed* x = a.at(0);
    const Keyed* y = b.at(0);
    if (x == nullptr && y == nullptr) break;
    if (x != nullptr && y != nullptr && x->key == y->key) {
      ++al.common;
      a.take(1);
      b.take(1);
      ++next_a;
      ++next_b;
      continue;
    }
    // Without a meeting point in the window, the whole window is one hunk
    // (and the next may continue it).
    std::size_t p = 0, q = 0;
    if (auto m = meeting_point(a, b, options.window)) {
      std::tie(p, q) = *m;
    } else {
      while (p < options.window && a.at(p) != nullptr) ++p;
      while (q < options.window && b.at(q) != nullptr) ++q;
    }
    const bool continues = !al.hunks.empty() && al.hunks.back().a_last + 1 == next_a &&
                           al.hunks.back().b_last + 1 == next_b;
    if (!continues) {
      al.hunks.emplace_back();
      al.hunks.back().a_first = next_a;
      al.hunks.back().b_first = next_b;
    }
    const std::size_t hunk = al.hunks.size() - 1;
    moves.fill(al.hunks, hunk, true, a, p, b, q, options.listed);
    moves.fill(al.hunks, hunk, false, b, q, a, p, options.listed);
    Hunk& h = al.hunks[hunk];
    next_a += p;
    next_b += q;
    h.a_last = next_a - 1;
    h.b_last = next_b - 1;
    a.take(p);
    b.take(q);
  }
  for (const Hunk& h : al.hunks) {
    al.only_a += h.only_a;
    al.only_b += h.only_b;
    al.common += h.moved_a;
  }
  return al;
}

}  // namespace gorewind::replay
