#include <gorewind/trace_class.hpp>

#include <algorithm>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace gorewind {
namespace {

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t in[2] = {a, b};
  return XXH3_64bits(in, sizeof in);
}

// grow() makes v n long, off the path of every lookup, which then stays
// small enough to inline.
template <class V>
[[gnu::noinline]] void grow(V& v, std::size_t n) {
  v.resize(n);
}

}  // namespace

void TraceClassHasher::on_run_begin(const RunInfo&) {
  goroutines_.clear();
  objects_.clear();
  keyed_.clear();
  top_ = barrier_ = 0;
  all_ = {};
  any_ = {};
  hash_ = 0;
  goroutine(1).name = mix(0, 1);
}

inline TraceClassHasher::Goroutine& TraceClassHasher::goroutine(Gid g) {
  if (g >= goroutines_.size()) [[unlikely]] grow(goroutines_, g + 1);
  return goroutines_[g];
}

TraceClassHasher::Object& TraceClassHasher::object(std::uint64_t key, Gid user) {
  Object* o = nullptr;
  if (key >> 63) {
    o = &keyed_[key];
    if (o->name == 0) o->name = key;
    return *o;
  }
  if (key >= objects_.size()) [[unlikely]] grow(objects_, key + 1);
  o = &objects_[key];
  // An object seen before its Make (none made it in the run's sight) is
  // named by its first user.
  if (o->name == 0) {
    Goroutine& g = goroutine(user);
    o->name = mix(g.name, ++g.made) ^ 1;
  }
  return *o;
}

std::uint32_t TraceClassHasher::level_of(const Touch& t, Gid user, std::uint32_t level) {
  const auto kind = static_cast<std::size_t>(t.kind);
  switch (t.scope) {
    case Touch::Scope::Local: return level;
    case Touch::Scope::Everything: return std::max(level, top_);
    case Touch::Scope::Object: break;
  }
  if (t.key == 0) return std::max(level, any_[kind]);
  const Object& o = object(t.key, user);
  level = std::max({level, o.write, all_[kind]});
  return t.write ? std::max(level, o.read) : level;
}

void TraceClassHasher::note(const Touch& t, Gid user, std::uint32_t level) {
  const auto kind = static_cast<std::size_t>(t.kind);
  switch (t.scope) {
    case Touch::Scope::Local: return;
    case Touch::Scope::Everything: barrier_ = level; return;
    case Touch::Scope::Object: break;
  }
  any_[kind] = std::max(any_[kind], level);
  if (t.key == 0) {
    all_[kind] = level;
    return;
  }
  Object& o = object(t.key, user);
  if (t.write) {
    o.write = level;
    o.read = 0;
  } else {
    o.read = std::max(o.read, level);
  }
}

void TraceClassHasher::on_event(const Event& e) {
  if (e.kind == EventKind::Switch) return;  // the schedule's, not the program's
  if (e.kind == EventKind::Wake) {
    const std::uint32_t by = goroutine(e.peer).level;
    Goroutine& woken = goroutine(e.gid);
    woken.enabled = std::max(woken.enabled, by);
    return;
  }
  if (e.kind == EventKind::Make) {
    if (e.obj >= objects_.size()) grow(objects_, e.obj + 1);
    Goroutine& maker = goroutine(e.gid);
    objects_[e.obj].name = mix(maker.name, ++maker.made);
  }
  const EventTouches touches = touches_of(e);
  std::uint32_t level = 0;
  {
    const Goroutine& g = goroutine(e.gid);
    level = std::max({g.level, g.enabled, barrier_});
  }
  for (const Touch& t : touches) level = level_of(t, e.gid, level);
  ++level;
  for (const Touch& t : touches) note(t, e.gid, level);
  goroutine(e.gid).level = level;
  top_ = std::max(top_, level);
  if (e.kind == EventKind::Spawn) {
    const std::uint64_t parent = goroutine(e.gid).name;
    const std::uint32_t made = ++goroutine(e.gid).made;
    Goroutine& child = goroutine(e.peer);
    child.name = mix(parent, made);
    child.enabled = level;
  }
  // What the event did, with every id by its canonical name and nothing the
  // schedule numbers (seq, cause) or the clock says: its fixed fields as one
  // block without padding, then each part that varies in length, when there
  // is one, under a seed of its own.
  const std::uint64_t who = goroutine(e.gid).name;
  const struct {
    std::uint64_t who, obj, peer;
    std::int64_t amount, counter;
    std::int32_t select_case;
    std::uint32_t line;
    std::uint64_t flags;
  } did{who,
        e.obj != 0 ? object(e.obj, e.gid).name : 0,
        e.peer != 0 ? goroutine(e.peer).name : 0,
        e.amount,
        e.counter,
        e.select_case,
        e.site.line(),
        static_cast<std::uint64_t>(e.kind) | static_cast<std::uint64_t>(e.reason) << 8 |
            static_cast<std::uint64_t>(e.ok) << 16};
  static_assert(sizeof did == 56, "no padding in what is hashed");
  std::uint64_t h = XXH3_64bits_withSeed(&did, sizeof did, level);
  for (const std::int32_t r : e.ready) {
    const std::uint64_t id = static_cast<std::uint64_t>(r < 0 ? -static_cast<std::int64_t>(r) : r);
    h = mix(h, object(id, e.gid).name ^ (r < 0));
  }
  if (e.value) {
    char short_text[ValueType::kShortText];
    const std::string_view value = e.value.text(short_text, text_);
    h = mix(h, XXH3_64bits_withSeed(value.data(), value.size(), 1));
  }
  if (!e.text.empty()) h = mix(h, XXH3_64bits_withSeed(e.text.data(), e.text.size(), 2));
  hash_ += h;
}

}  // namespace gorewind
