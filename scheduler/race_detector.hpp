// race_detector.hpp: the happens-before race detector over gr::shared<T>
// cells. Private to the runtime.
//
// Vector clocks, with FastTrack's epochs for the cells (Flanagan & Freund,
// "FastTrack: efficient and precise dynamic race detection", PLDI 2009):
// each goroutine has a clock (a sparse VectorClock) whose own entry is its
// current epoch; each synchronising object has the clock of what happened
// before its latest release; each cell remembers its last store and its
// loads since as epochs (goroutine, time), a load set only while loads are
// unordered among themselves. An access is ordered after an earlier one of
// epoch (u, t) when the accessor's clock has u at t or later: O(1) per access
// in the common case.
//
// Clocks list only the goroutines that matter: a time of goroutine u is
// consulted only to order an access of u that a cell still remembers, and
// every other clock knows u only at times before u's current one (each
// release ticks it), so once no cell remembers an access of u, u's entries
// can change no answer and joins drop them (u keeps its own). A fan-in of
// 100,000 short-lived goroutines, or a lock passed through all of them,
// then costs clocks of the few goroutines whose accesses are remembered.
//
// The scheduler creates a detector at a run's first gr::shared cell: every
// happens-before path between two accesses of a cell consists of events
// after the first access, so nothing earlier needs a clock, and a run
// without cells pays one null check per operation. Goroutine 0 (the runtime:
// timers, deadlines) orders nothing: operations on its behalf pass gid 0 and
// join no clock. The primitives call the hooks below at the moment the Go
// memory model's edge is made (race.hpp lists them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/detail/chan_core.hpp>
#include <gorewind/race.hpp>

#include "vector_clock.hpp"

namespace gorewind::detail {

class RaceDetector {
 public:
  explicit RaceDetector(RaceMode mode) : mode_(mode) {}

  // --- goroutines ---
  // add_goroutine() names a goroutine alive when the detector starts.
  void add_goroutine(Gid g, std::string_view name) { thread(g).name = name; }
  // spawn(): parent's go statement before child starts.
  void spawn(Gid parent, Gid child, std::string_view name);
  // exit() frees g's clock; g never synchronises again.
  void exit(Gid g);

  // --- synchronising objects, by their object id ---
  // acquire(): g's clock joins obj's (a lock, a wait returning).
  void acquire(std::uint32_t obj, Gid g);
  // release(): obj's clock becomes g's (a Mutex unlock, a Once's completion).
  void release(std::uint32_t obj, Gid g);
  // release_merge(): obj's clock joins g's (a WaitGroup done).
  void release_merge(std::uint32_t obj, Gid g);
  // acquire_readers() and release_reader(): an RWMutex's second clock, of
  // the unlock_shared calls a writer's lock waits for.
  void acquire_readers(std::uint32_t obj, Gid g);
  void release_reader(std::uint32_t obj, Gid g);
  // release_into() and acquire_from(): through a clock the caller keeps (a
  // Cond signal's, carried to the wait it wakes).
  void release_into(VectorClock& into, Gid g);
  void acquire_from(const VectorClock& from, Gid g);

  // --- channels; the hooks run before the buffer changes ---
  // chan_send() and chan_recv(): g sends into / receives from c's buffer
  // slot (also a buffered channel's direct hand-off, send then receive):
  // the kth send before the kth receive, the kth receive before the
  // (k+cap)th send.
  void chan_send(const ChanCore& c, Gid g);
  void chan_recv(const ChanCore& c, Gid g);
  // chan_handoff(): an unbuffered channel's send and receive, each before
  // the other completes.
  void chan_handoff(Gid sender, Gid receiver);
  // chan_close() and chan_recv_closed(): the close before a receive that
  // sees it.
  void chan_close(const ChanCore& c, Gid g);
  void chan_recv_closed(const ChanCore& c, Gid g);

  // --- cells ---
  // access() checks g's load or store of cell (its event is seq, at site)
  // against the cell's earlier accesses and records it. Returns how many
  // races it appended to races(): with RaceMode::First, none once one is
  // known; with All, each racing pair not reported before (by the two
  // sites and kinds).
  std::size_t access(std::uint32_t cell, std::string_view cell_name, Gid g, bool write,
                     const std::source_location& site, std::uint64_t seq);
  const std::vector<DataRace>& races() const { return races_; }

 private:
  struct Thread {
    VectorClock clock;
    std::uint32_t now = 0;  // == clock.get(own gid), 0 until first used
    std::string name;
  };
  struct Sync {
    VectorClock clock;
    VectorClock second;  // RWMutex: unlock_shared calls; channel: its close
    std::vector<VectorClock> slots;  // a buffered channel's, by position mod cap
    std::uint64_t sends = 0;
    std::uint64_t recvs = 0;
    bool counted = false;  // sends counts the values buffered before the detector started
  };
  struct Access {
    Gid g = 0;
    std::uint32_t epoch = 0;  // 0: none
    bool write = false;
    std::uint64_t seq = 0;
    std::source_location site;
  };
  struct Cell {
    Access write;
    Access read;               // the last load, while loads are ordered
    std::vector<Access> reads;  // loads not ordered among themselves, one per goroutine
  };

  Thread& thread(Gid g) {
    if (g >= threads_.size()) threads_.resize(static_cast<std::size_t>(g) + 1);
    Thread& t = threads_[g];
    if (t.now == 0) {
      t.now = 1;
      t.clock.set(g, 1);
    }
    return t;
  }
  static void tick(Thread& t, Gid g) { t.clock.set(g, ++t.now); }
  // relevant() says whether a cell remembers an access of g.
  bool relevant(Gid g) const { return g < refs_.size() && refs_[g] > 0; }
  // join_into() joins from into the clock of goroutine owner (0: of an
  // object), dropping the goroutines no longer relevant; copy_into() copies
  // a goroutine's clock into an object's.
  void join_into(VectorClock& into, const VectorClock& from, Gid owner) {
    into.join(from, [this, owner](Gid g) { return g == owner || relevant(g); }, scratch_);
  }
  void copy_into(VectorClock& into, const VectorClock& from) {
    into.assign(from, [this](Gid g) { return relevant(g); });
  }
  // hold() and drop() count a cell's memory of access a.
  void hold(const Access& a);
  void drop(const Access& a);
  Sync& sync(std::uint32_t obj) {
    if (obj >= syncs_.size()) syncs_.resize(static_cast<std::size_t>(obj) + 1);
    return syncs_[obj];
  }
  VectorClock& slot(const ChanCore& c, bool send);
  // ordered() says whether access a happens before what t does now.
  static bool ordered(const Access& a, const Thread& t, Gid g) {
    return a.epoch == 0 || a.g == g || a.epoch <= t.clock.get(a.g);
  }
  // report() records a race of earlier with later, unless RaceMode::All
  // reported the same pair before.
  void report(std::string_view cell_name, const Access& earlier, const Access& later);

  RaceMode mode_;
  std::vector<Thread> threads_;  // by gid
  std::vector<Sync> syncs_;      // by object id
  std::vector<Cell> cells_;      // by object id
  std::vector<std::uint32_t> refs_;  // by gid: how many cell slots hold an access of it
  VectorClock scratch_;
  std::vector<DataRace> races_;
  std::set<std::string> reported_;  // the racing pairs' keys (sites and kinds)
};

}  // namespace gorewind::detail
