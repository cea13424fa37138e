#include <gorewind/dpor_strategy.hpp>

#include <algorithm>

#include <gorewind/error.hpp>
#include <gorewind/packed_bytes.hpp>

namespace gorewind {
namespace {

bool contains(const std::vector<Gid>& v, Gid g) { return std::find(v.begin(), v.end(), g) != v.end(); }

// touch_of_access() is the touch of the operation a goroutine was offered
// with: some operations change their object before their first event (a
// Cond's wait queues its waiter, then unlocks).
Touch touch_of_access(const Access& a) {
  if (a.kind == ObjKind::None) return {};
  return {Touch::Scope::Object, a.kind, a.write, a.obj};  // obj 0 with Chan: a select, on all channels
}

// The journal's records: a goroutine decision (its options and the touch
// of the one chosen), another decision (its options' count), an event.
constexpr char kGoroutineRecord = 'G';
constexpr char kPickRecord = 'P';
constexpr char kEventRecord = 'E';

using Reader = BasicByteReader<>;

void pack_touch(std::string& out, const Touch& t) {
  pack(out, t.scope);
  pack(out, t.kind);
  pack(out, static_cast<std::uint8_t>(t.write));
  pack(out, t.key);
}

Touch get_touch(Reader& in) {
  Touch t;
  t.scope = in.get<Touch::Scope>();
  t.kind = in.get<ObjKind>();
  t.write = in.get<std::uint8_t>() != 0;
  t.key = in.get<std::uint64_t>();
  if (t.scope > Touch::Scope::Everything || t.kind > ObjKind::Shared)
    throw Error("dpor: a search's state or journal holds a touch it cannot have written");
  return t;
}

// pack_all() packs a vector as its size then each element by put.
template <class T, class Put>
void pack_all(std::string& out, const std::vector<T>& v, Put put) {
  pack(out, static_cast<std::uint32_t>(v.size()));
  for (const T& x : v) put(out, x);
}

template <class T, class Get>
std::vector<T> get_all(Reader& in, Get get) {
  std::vector<T> v(in.get<std::uint32_t>());
  for (T& x : v) x = get(in);
  return v;
}

void pack_gid(std::string& out, Gid g) { pack(out, g); }
Gid get_gid(Reader& in) { return in.get<Gid>(); }

}  // namespace

void DporStrategy::begin_run(std::uint64_t) {
  pos_ = 0;
  steps_.clear();
  open_ = false;
  enabler_.clear();
  sleep_.clear();
  made_ = 0;
}

bool DporStrategy::holds(const std::vector<Sleeper>& set, Gid g) {
  return std::any_of(set.begin(), set.end(), [&](const Sleeper& s) { return s.gid == g; });
}

DporStrategy::Sleeper DporStrategy::asleep(Gid gid, const Touches& step, std::uint64_t objects) {
  Sleeper z{gid, {}};
  for (Touch t : step) {
    const bool watched = t.key >> 63;
    if (t.scope == Touch::Scope::Object && !watched && t.key > objects) t.key = 0;
    if (std::find(z.touches.begin(), z.touches.end(), t) == z.touches.end()) z.touches.push_back(t);
  }
  return z;
}

bool DporStrategy::dependent(const Touches& a, const Touches& b) {
  for (const Touch& x : a)
    for (const Touch& y : b)
      if (conflicts(x, y)) return true;
  return false;
}

void DporStrategy::open_step(Gid gid, std::int32_t node) {
  Step s{gid, node, {}, -1};
  if (gid < enabler_.size() && enabler_[gid] != 0) {
    s.enabler = enabler_[gid] - 1;
    enabler_[gid] = 0;
  }
  steps_.push_back(std::move(s));
  open_ = true;
}

void DporStrategy::close_step() {
  if (!open_) return;
  open_ = false;
  const Step& s = steps_.back();
  std::erase_if(sleep_, [&](const Sleeper& z) { return z.gid == s.gid || dependent(z.touches, s.touches); });
}

void DporStrategy::add_touch(const Touch& t) {
  if (t.scope == Touch::Scope::Local) return;
  Touches& ts = steps_.back().touches;
  if (std::find(ts.begin(), ts.end(), t) == ts.end()) ts.push_back(t);
}

void DporStrategy::on_event(const Event& e) {
  Seen seen{e.kind, e.gid, e.peer, {}};
  if (e.kind != EventKind::Switch && e.kind != EventKind::Wake) seen.touches = touches_of(e);
  if (journaling()) {
    record_.assign(1, kEventRecord);
    pack(record_, seen.kind);
    pack(record_, seen.gid);
    pack(record_, seen.peer);
    pack(record_, seen.touches.size);
    for (const Touch& t : seen.touches) pack_touch(record_, t);
    note(record_);
  }
  see(seen);
}

void DporStrategy::see(const Seen& e) {
  const auto enable = [&](Gid g) {
    if (!open_) return;
    if (enabler_.size() <= g) enabler_.resize(g + 1, 0);
    enabler_[g] = static_cast<std::uint32_t>(steps_.size());
  };
  switch (e.kind) {
    case EventKind::Switch:
      if (!open_ || steps_.back().gid != e.gid) {
        close_step();
        open_step(e.gid, -1);
      }
      return;
    case EventKind::Wake: return enable(e.gid);  // reported under the woken goroutine's id
    default: break;
  }
  // The clock's step is the runtime's own; everything else happens in the
  // running goroutine's step, whoever the event names.
  if (open_ && (e.gid == 0) != (steps_.back().gid == 0)) close_step();
  if (!open_) open_step(e.gid, -1);
  if (e.kind == EventKind::Spawn) enable(e.peer);
  for (const Touch& t : e.touches) {
    if (e.kind == EventKind::Make && t.scope == Touch::Scope::Object && !(t.key >> 63)) made_ = std::max(made_, t.key);
    add_touch(t);
  }
}

std::size_t DporStrategy::pick_goroutine(const Runnable& options) {
  gids_.clear();
  for (std::size_t i = 0; i < options.size(); ++i) gids_.push_back(options[i]);
  const std::size_t chosen = decide(gids_);
  const Touch access = touch_of_access(options.access(chosen));
  if (journaling()) {
    record_.assign(1, kGoroutineRecord);
    pack_all(record_, gids_, pack_gid);
    pack_touch(record_, access);
    note(record_);
  }
  begin_step(gids_[chosen], access);
  return chosen;
}

std::size_t DporStrategy::decide(const std::vector<Gid>& options) {
  close_step();
  const std::size_t n = options.size();
  std::size_t chosen = 0;
  if (pos_ < path_.size()) {
    Node& node = path_[pos_];
    if (!node.goroutine || node.options != options)
      throw Error("dpor: the program made different decisions on the same schedule (it depends on something "
                  "besides the scheduler: real time, addresses, unseeded randomness)");
    sleep_ = node.sleep;
    sleep_.insert(sleep_.end(), node.done.begin(), node.done.end());
    chosen = node.chosen;
  } else {
    Node node;
    node.n = static_cast<std::uint32_t>(n);
    node.options = options;
    node.sleep = sleep_;
    node.objects = made_;
    while (chosen < n && holds(sleep_, options[chosen])) ++chosen;
    // Every way on asleep: whatever follows repeats a trace already run,
    // which only costs the run.
    if (chosen == n) chosen = 0;
    node.chosen = static_cast<std::uint32_t>(chosen);
    node.backtrack.push_back(options[chosen]);
    path_.push_back(std::move(node));
  }
  return chosen;
}

void DporStrategy::begin_step(Gid gid, const Touch& access) {
  open_step(gid, static_cast<std::int32_t>(pos_));
  add_touch(access);
  ++pos_;
}

std::size_t DporStrategy::pick(Decision, std::size_t n) {
  if (journaling()) {
    record_.assign(1, kPickRecord);
    pack(record_, static_cast<std::uint32_t>(n));
    note(record_);
  }
  return choose_case(n);
}

std::size_t DporStrategy::choose_case(std::size_t n) {
  if (pos_ < path_.size()) {
    const Node& node = path_[pos_];
    if (node.goroutine || node.n != n)
      throw Error("dpor: the program made different decisions on the same schedule (it depends on something "
                  "besides the scheduler: real time, addresses, unseeded randomness)");
  } else {
    Node node;
    node.goroutine = false;
    node.n = static_cast<std::uint32_t>(n);
    path_.push_back(std::move(node));
  }
  return path_[pos_++].chosen;
}

void DporStrategy::analyse() {
  const std::size_t m = steps_.size();
  Gid top = 0;
  for (const Step& s : steps_) top = std::max(top, s.gid);
  const std::size_t width = static_cast<std::size_t>(top) + 1;
  // clock[j][g]: how many of g's steps happen before step j, j's own
  // included (a vector clock per step); index[j]: j's place among its
  // goroutine's steps, from 1.
  std::vector<std::vector<std::uint32_t>> clock(m);
  std::vector<std::uint32_t> index(m);
  std::vector<std::int64_t> last(width, -1);
  std::vector<std::uint32_t> count(width, 0);
  std::vector<char> resolved(width);
  std::vector<std::uint32_t> first(width);
  const auto join = [](std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& from) {
    for (std::size_t g = 0; g < from.size(); ++g) into[g] = std::max(into[g], from[g]);
  };
  const auto before = [&](std::size_t a, std::size_t b) { return clock[b][steps_[a].gid] >= index[a]; };
  std::vector<std::size_t> races;
  for (std::size_t j = 0; j < m; ++j) {
    const Step& sj = steps_[j];
    const Gid p = sj.gid;
    index[j] = ++count[p];
    std::vector<std::uint32_t> vc = last[p] >= 0 ? clock[last[p]] : std::vector<std::uint32_t>(width, 0);
    if (sj.enabler >= 0) join(vc, clock[static_cast<std::size_t>(sj.enabler)]);
    // The latest conflicting step of each other goroutine, unless something
    // already orders it before j: those are j's races, its immediate
    // predecessors through a conflict.
    races.clear();
    std::fill(resolved.begin(), resolved.end(), 0);
    resolved[p] = 1;
    for (std::size_t i = j; i-- > 0;) {
      const Gid q = steps_[i].gid;
      if (resolved[q]) continue;
      if (vc[q] >= index[i]) {
        resolved[q] = 1;
        continue;
      }
      if (dependent(steps_[i].touches, sj.touches)) {
        races.push_back(i);
        join(vc, clock[i]);
        resolved[q] = 1;
      }
    }
    vc[p] = index[j];
    clock[j] = std::move(vc);
    last[p] = static_cast<std::int64_t>(j);

    for (const std::size_t i : races) {
      const Step& si = steps_[i];
      if (si.node < 0) continue;  // no choice there: j's goroutine could not run instead
      Node& node = path_[static_cast<std::size_t>(si.node)];
      // v is what ran after i and does not depend on it, then j: its
      // initials are the goroutines that can start it.
      std::vector<Gid> initials;
      std::fill(first.begin(), first.end(), 0);
      const auto consider = [&](std::size_t k) {
        const Gid q = steps_[k].gid;
        if (first[q] != 0) return;
        bool initial = true;
        for (std::size_t r = 0; r < width && initial; ++r) initial = first[r] == 0 || clock[k][r] < first[r];
        if (initial) initials.push_back(q);
        first[q] = index[k];
      };
      for (std::size_t k = i + 1; k < j; ++k)
        if (!before(i, k)) consider(k);
      consider(j);
      if (std::any_of(initials.begin(), initials.end(), [&](Gid q) { return contains(node.backtrack, q); }))
        continue;
      const auto awake = [&](Gid q) {
        return contains(node.options, q) && !holds(node.sleep, q);
      };
      Gid pick = 0;
      if (contains(initials, p) && awake(p)) pick = p;
      for (const Gid q : initials)
        if (pick == 0 && awake(q)) pick = q;
      if (pick != 0) {
        node.backtrack.push_back(pick);
      } else if (std::none_of(initials.begin(), initials.end(), [&](Gid q) { return contains(node.options, q); })) {
        // The order that reverses the race starts with no goroutine that was
        // runnable there: run them all rather than miss it.
        for (const Gid q : node.options)
          if (!contains(node.backtrack, q)) node.backtrack.push_back(q);
      }
    }
  }
}

void DporStrategy::analyse_end() {
  // A step that ends the run (a panic, main's return) races with the steps
  // the goroutines still runnable then never made: run each of them first.
  if (steps_.empty() || steps_.back().node < 0) return;
  const Step& last = steps_.back();
  const bool ends = std::any_of(last.touches.begin(), last.touches.end(),
                                [](const Touch& t) { return t.scope == Touch::Scope::Everything; });
  if (!ends) return;
  Node& node = path_[static_cast<std::size_t>(last.node)];
  for (const Gid q : node.options) {
    if (!holds(node.sleep, q) && !contains(node.backtrack, q)) node.backtrack.push_back(q);
  }
}

bool DporStrategy::advance() {
  if (exhausted_) return false;
  close_step();
  for (const Step& s : steps_)
    if (s.node >= 0) path_[static_cast<std::size_t>(s.node)].step = s.touches;
  analyse();
  analyse_end();
  path_.resize(pos_);
  while (!path_.empty()) {
    Node& node = path_.back();
    if (!node.goroutine) {
      if (++node.chosen < node.n) return true;
      path_.pop_back();
      continue;
    }
    const Gid ran = node.options[node.chosen];
    if (!holds(node.done, ran)) node.done.push_back(asleep(ran, node.step, node.objects));
    for (const Gid g : node.backtrack) {
      if (holds(node.done, g) || holds(node.sleep, g)) continue;
      node.chosen = static_cast<std::uint32_t>(std::find(node.options.begin(), node.options.end(), g) - node.options.begin());
      return true;
    }
    path_.pop_back();
  }
  exhausted_ = true;
  return false;
}

void DporStrategy::save(std::string& out) const {
  const auto pack_sleeper = [](std::string& o, const Sleeper& z) {
    pack(o, z.gid);
    pack_all(o, z.touches, pack_touch);
  };
  pack(out, static_cast<std::uint8_t>(exhausted_));
  pack_all(out, path_, [&](std::string& o, const Node& node) {
    pack(o, static_cast<std::uint8_t>(node.goroutine));
    pack(o, node.n);
    pack(o, node.chosen);
    pack_all(o, node.options, pack_gid);
    pack_all(o, node.backtrack, pack_gid);
    pack_all(o, node.done, pack_sleeper);
    pack_all(o, node.sleep, pack_sleeper);
    pack(o, node.objects);
  });
}

void DporStrategy::load(std::string_view state) {
  const auto get_sleeper = [](Reader& in) {
    Sleeper z;
    z.gid = in.get<Gid>();
    z.touches = get_all<Touch>(in, get_touch);
    return z;
  };
  Reader in(state, "dpor: a search's saved state");
  const bool exhausted = in.get<std::uint8_t>() != 0;
  std::vector<Node> path = get_all<Node>(in, [&](Reader& r) {
    Node node;
    node.goroutine = r.get<std::uint8_t>() != 0;
    node.n = r.get<std::uint32_t>();
    node.chosen = r.get<std::uint32_t>();
    node.options = get_all<Gid>(r, get_gid);
    node.backtrack = get_all<Gid>(r, get_gid);
    node.done = get_all<Sleeper>(r, get_sleeper);
    node.sleep = get_all<Sleeper>(r, get_sleeper);
    node.objects = r.get<std::uint64_t>();
    if (node.chosen >= node.n || (node.goroutine && node.options.size() != node.n))
      throw Error("dpor: a search's saved state holds a decision it cannot have made");
    return node;
  });
  if (!in.done()) throw Error("dpor: a search's saved state is longer than its fields");
  exhausted_ = exhausted;
  path_ = std::move(path);
}

void DporStrategy::replay(std::string_view journal, bool died) {
  begin_run(0);
  Reader in(journal, "dpor: a search's journal");
  while (!in.done()) {
    switch (in.get<char>()) {
      case kGoroutineRecord: {
        gids_ = get_all<Gid>(in, get_gid);
        const Touch access = get_touch(in);
        if (gids_.size() < 2) throw Error("dpor: a search's journal holds a decision it cannot have made");
        begin_step(gids_[decide(gids_)], access);
        break;
      }
      case kPickRecord: choose_case(in.get<std::uint32_t>()); break;
      case kEventRecord: {
        Seen e{in.get<EventKind>(), in.get<Gid>(), in.get<Gid>(), {}};
        e.touches.size = in.get<std::uint8_t>();
        if (e.touches.size > e.touches.items.size())
          throw Error("dpor: a search's journal holds an event it cannot have written");
        for (std::uint8_t k = 0; k < e.touches.size; ++k) e.touches.items[k] = get_touch(in);
        see(e);
        break;
      }
      default: throw Error("dpor: a search's journal holds a record of unknown kind");
    }
  }
  // The process died in the goroutine running then: its step ends the run,
  // as a panic's would.
  if (died && open_) add_touch({Touch::Scope::Everything});
}

}  // namespace gorewind
