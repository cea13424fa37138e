// vector_clock.hpp: a sparse vector clock. Private to the runtime.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <gorewind/event.hpp>

namespace gorewind::detail {

// VectorClock maps goroutines to logical times; a goroutine it does not
// list has time 0. It lists only the goroutines it has heard of and still
// cares about, sorted by gid, so a run of 100,000 goroutines pays for the
// few that matter, not for the run: a join costs the two clocks' sizes.
class VectorClock {
 public:
  // get() is g's time in this clock.
  std::uint32_t get(Gid g) const {
    auto it = std::lower_bound(e_.begin(), e_.end(), g, [](const Entry& a, Gid b) { return a.g < b; });
    return it != e_.end() && it->g == g ? it->t : 0;
  }
  // set() makes g's time t.
  void set(Gid g, std::uint32_t t) {
    auto it = std::lower_bound(e_.begin(), e_.end(), g, [](const Entry& a, Gid b) { return a.g < b; });
    if (it != e_.end() && it->g == g) it->t = t;
    else e_.insert(it, Entry{g, t});
  }
  // join() makes this clock the entry-wise maximum of itself and o, keeping
  // only the goroutines keep(gid) accepts (RaceDetector drops those whose
  // times can no longer matter, which keeps clocks small). scratch is a
  // buffer to merge into, swapped with this clock's, so that joins stop
  // allocating once the buffers have grown.
  template <class Keep>
  void join(const VectorClock& o, Keep keep, VectorClock& scratch) {
    if (o.e_.empty()) return;
    std::vector<Entry>& out = scratch.e_;
    out.clear();
    auto a = e_.begin();
    auto b = o.e_.begin();
    while (a != e_.end() || b != o.e_.end()) {
      Entry next;
      if (b == o.e_.end() || (a != e_.end() && a->g < b->g)) {
        next = *a++;
      } else if (a == e_.end() || b->g < a->g) {
        next = *b++;
      } else {
        next = Entry{a->g, std::max(a->t, b->t)};
        ++a;
        ++b;
      }
      if (keep(next.g)) out.push_back(next);
    }
    e_.swap(out);
  }
  // assign() makes this clock o, without the goroutines keep(gid) rejects.
  template <class Keep>
  void assign(const VectorClock& o, Keep keep) {
    e_.clear();
    for (const Entry& b : o.e_)
      if (keep(b.g)) e_.push_back(b);
  }
  // clear() forgets every entry and gives the memory back.
  void clear() { std::vector<Entry>().swap(e_); }
  std::size_t size() const { return e_.size(); }

 private:
  struct Entry {
    Gid g;
    std::uint32_t t;
  };
  std::vector<Entry> e_;  // sorted by g, times > 0
};

}  // namespace gorewind::detail
