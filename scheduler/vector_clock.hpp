// vector_clock.hpp: a sparse vector clock. Private to the runtime.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <gorewind/event.hpp>

namespace gorewind::detail {

// VectorClock maps goroutines to logical times; a goroutine it does not
// list has time 0. It keeps only the goroutines it has heard of, sorted by
// gid, so a run of 100,000 goroutines that mostly talk to a few neighbours
// pays for the neighbours, not for the run: a join costs the two clocks'
// sizes, and nothing when every entry of the other is already known and no
// newer (the steady state of goroutines that talk over and over).
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
  // join() makes this clock the entry-wise maximum of itself and o.
  void join(const VectorClock& o) {
    // One pass takes the maximum where both have an entry and counts the
    // entries only o has, finding each by binary search from the last (a
    // WaitGroup's clock, say, gathers one entry per goroutine that called
    // done: a linear scan would make that quadratic). Those are then merged
    // in from the back, in place: appending the newest goroutine moves nothing.
    std::size_t missing = 0;
    auto from = e_.begin();
    for (const Entry& b : o.e_) {
      from = std::lower_bound(from, e_.end(), b.g, [](const Entry& a, Gid g) { return a.g < g; });
      if (from != e_.end() && from->g == b.g) from->t = std::max(from->t, b.t);
      else ++missing;
    }
    if (missing == 0) return;
    std::size_t a = e_.size();
    std::size_t b = o.e_.size();
    e_.resize(a + missing);
    // k - a entries of o are still to place; once none is, the rest of e_
    // is where it belongs.
    for (std::size_t k = e_.size(); k > a;) {
      const Entry& ob = o.e_[b - 1];
      if (a > 0 && e_[a - 1].g > ob.g) {
        e_[--k] = e_[--a];
      } else if (a > 0 && e_[a - 1].g == ob.g) {
        e_[--k] = e_[--a];  // already the maximum
        --b;
      } else {
        e_[--k] = ob;
        --b;
      }
    }
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
