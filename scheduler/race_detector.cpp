#include "race_detector.hpp"

#include <algorithm>

namespace gorewind::detail {

void RaceDetector::spawn(Gid parent, Gid child, std::string_view name) {
  thread(child);  // first: it may grow threads_, and parent < child
  Thread& p = thread(parent);
  Thread& c = threads_[child];
  c.name = name;
  join_into(c.clock, p.clock, child);
  tick(p, parent);
}

void RaceDetector::exit(Gid g) {
  if (g < threads_.size()) threads_[g].clock.clear();
}

void RaceDetector::acquire(std::uint32_t obj, Gid g) {
  if (g == 0) return;
  const Sync& s = sync(obj);
  join_into(thread(g).clock, s.clock, g);
}

void RaceDetector::release(std::uint32_t obj, Gid g) {
  if (g == 0) return;
  Sync& s = sync(obj);
  Thread& t = thread(g);
  copy_into(s.clock, t.clock);
  tick(t, g);
}

void RaceDetector::release_merge(std::uint32_t obj, Gid g) {
  if (g == 0) return;
  Sync& s = sync(obj);
  Thread& t = thread(g);
  join_into(s.clock, t.clock, 0);
  tick(t, g);
}

void RaceDetector::acquire_readers(std::uint32_t obj, Gid g) {
  if (g == 0) return;
  const Sync& s = sync(obj);
  join_into(thread(g).clock, s.second, g);
}

void RaceDetector::release_reader(std::uint32_t obj, Gid g) {
  if (g == 0) return;
  Sync& s = sync(obj);
  Thread& t = thread(g);
  join_into(s.second, t.clock, 0);
  tick(t, g);
}

void RaceDetector::release_into(VectorClock& into, Gid g) {
  if (g == 0) return;
  Thread& t = thread(g);
  join_into(into, t.clock, 0);
  tick(t, g);
}

void RaceDetector::acquire_from(const VectorClock& from, Gid g) {
  if (g == 0) return;
  join_into(thread(g).clock, from, g);
}

VectorClock& RaceDetector::slot(const ChanCore& c, bool send) {
  Sync& s = sync(c.id());
  if (!s.counted) {
    // Values buffered before the detector started were sent before any
    // cell existed: their slots carry no clock.
    s.counted = true;
    s.sends = c.buf_len();
  }
  const std::uint64_t k = send ? s.sends++ : s.recvs++;
  const std::size_t i = static_cast<std::size_t>(k % c.cap());
  if (i >= s.slots.size()) s.slots.resize(i + 1);
  return s.slots[i];
}

// Each slot's clock holds everything before the latest send or receive
// through it (Go's racenotify: acquire, then release-merge): a receive
// acquires its send, and the send k+cap acquires the receive k.
void RaceDetector::chan_send(const ChanCore& c, Gid g) {
  VectorClock& s = slot(c, true);
  if (g == 0) return;
  Thread& t = thread(g);
  join_into(t.clock, s, g);
  copy_into(s, t.clock);
  tick(t, g);
}

void RaceDetector::chan_recv(const ChanCore& c, Gid g) {
  VectorClock& s = slot(c, false);
  if (g == 0) return;
  Thread& t = thread(g);
  join_into(t.clock, s, g);
  copy_into(s, t.clock);
  tick(t, g);
}

void RaceDetector::chan_handoff(Gid sender, Gid receiver) {
  if (sender == 0 || receiver == 0) return;
  thread(sender);
  Thread& r = thread(receiver);
  Thread& s = threads_[sender];
  // Each side completes after the other began: both end with the join of
  // the two clocks, merged once.
  s.clock.join(r.clock, [this, sender, receiver](Gid g) { return g == sender || g == receiver || relevant(g); },
               scratch_);
  r.clock = s.clock;
  tick(s, sender);
  tick(r, receiver);
}

void RaceDetector::chan_close(const ChanCore& c, Gid g) {
  if (g == 0) return;
  Sync& s = sync(c.id());
  Thread& t = thread(g);
  copy_into(s.second, t.clock);
  tick(t, g);
}

void RaceDetector::chan_recv_closed(const ChanCore& c, Gid g) {
  if (g == 0) return;
  const Sync& s = sync(c.id());
  join_into(thread(g).clock, s.second, g);
}

void RaceDetector::hold(const Access& a) {
  if (a.epoch == 0) return;
  if (a.g >= refs_.size()) refs_.resize(static_cast<std::size_t>(a.g) + 1);
  ++refs_[a.g];
}

void RaceDetector::drop(const Access& a) {
  if (a.epoch != 0) --refs_[a.g];
}

std::size_t RaceDetector::access(std::uint32_t cell, std::string_view cell_name, Gid g, bool write,
                                 const std::source_location& site, std::uint64_t seq) {
  if (mode_ == RaceMode::First && !races_.empty()) return 0;
  const std::size_t before = races_.size();
  const Thread& t = thread(g);
  if (cell >= cells_.size()) cells_.resize(static_cast<std::size_t>(cell) + 1);
  Cell& x = cells_[cell];
  const Access now{g, t.now, write, seq, site};
  // check() reports earlier if it races with now, and says whether to look
  // further: First mode stops at its race, All goes through every access.
  auto check = [&](const Access& earlier) {
    if (!ordered(earlier, t, g)) report(cell_name, earlier, now);
    return mode_ == RaceMode::All || races_.size() == before;
  };
  bool go_on = check(x.write);
  if (!write) {
    if (!go_on) return races_.size() - before;
    hold(now);
    if (x.reads.empty()) {
      if (ordered(x.read, t, g)) {
        drop(x.read);
        x.read = now;
      } else {
        x.reads = {x.read, now};
        x.read = {};
      }
    } else {
      auto mine = std::find_if(x.reads.begin(), x.reads.end(), [&](const Access& a) { return a.g == g; });
      if (mine != x.reads.end()) {
        drop(*mine);
        *mine = now;
      } else {
        x.reads.push_back(now);
      }
    }
    return races_.size() - before;
  }
  if (go_on) go_on = check(x.read);
  for (const Access& r : x.reads) {
    if (!go_on) break;
    go_on = check(r);
  }
  hold(now);
  drop(x.write);
  drop(x.read);
  for (const Access& r : x.reads) drop(r);
  x.write = now;
  x.read = {};
  x.reads.clear();
  return races_.size() - before;
}

void RaceDetector::report(std::string_view cell_name, const Access& earlier, const Access& later) {
  auto side = [&](const Access& a) {
    return RaceAccess{a.g, a.g < threads_.size() ? threads_[a.g].name : std::string(), a.write,
                      Site::from(a.site), a.seq};
  };
  DataRace race{std::string(cell_name), side(earlier), side(later)};
  if (mode_ == RaceMode::All) {
    // A pair is the same whichever side came first.
    auto key = [](const RaceAccess& a) {
      return a.site.file + ":" + std::to_string(a.site.line) + ":" + a.site.function + (a.write ? ":w" : ":r");
    };
    std::string k1 = key(race.earlier);
    std::string k2 = key(race.later);
    if (k2 < k1) std::swap(k1, k2);
    if (!reported_.insert(k1 + "\n" + k2).second) return;
  }
  races_.push_back(std::move(race));
}

}  // namespace gorewind::detail
