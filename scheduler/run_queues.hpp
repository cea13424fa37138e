// run_queues.hpp: Go's run queues, for the G-M-P model (RunOptions::procs).
// Private to the runtime. The spec is Go 1.19's src/runtime/proc.go, the
// version Debian ships; each member names the function it follows.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include <gorewind/event.hpp>

namespace gorewind::detail {

// RunQueues are the runnable goroutines of a run under GOMAXPROCS=procs: per
// P a runnext slot, a local ring of 256 and a schedtick; one global queue.
// Where a goroutine goes and which one a P runs next follow Go's rules, so
// that a program's order under one P is the order Go gives it.
class RunQueues {
 public:
  static constexpr std::uint32_t kLocal = 256;  // len(p.runq)
  // kMainTick is P 0's schedtick when main starts: Go 1.19's runtime has
  // run goroutines of its own by then (bgsweep, bgscavenge, forcegchelper),
  // and its first check of the global queue comes 61 - 5 schedules after
  // main first blocks, as a test pins (Go itself sometimes gets there one
  // schedule earlier).
  static constexpr std::uint32_t kMainTick = 5;

  explicit RunQueues(unsigned procs);

  // put() is runqput(): with next, g takes p's runnext and the goroutine it
  // held goes to the local tail; a full local queue moves its older half,
  // then g, to the global queue (runqputslow()). A spawn (newproc()) and a
  // wake (ready()) put with next, on the P of the goroutine that made them.
  void put(unsigned p, Gid g, bool next);
  // put_global() is globrunqput(): a goroutine that yields (goschedImpl())
  // or is preempted goes to the back of the global queue.
  void put_global(Gid g);
  // take() is the goroutine p's schedule() runs next, 0 when there is none:
  // findRunnable()'s order (every 61st schedtick the global queue first,
  // then runnext, the local queue, the global queue, which hands p a batch
  // as globrunqget() does), then execute()'s count: schedtick goes up unless
  // the goroutine came from runnext and inherits the time slice.
  Gid take(unsigned p);
  // steal() is runqsteal() by p from victim, once take(p) found nothing:
  // the older half of victim's local queue (rounded up) moves to p's, whose
  // newest of them runs; with victim's local queue empty, its runnext runs
  // (stealWork()'s last round, which also robs a running P's runnext).
  // Counted by execute() as any start. Returns 0 when victim has nothing.
  Gid steal(unsigned p, unsigned victim);
  // stealable() says what steal() would find at victim: 2 for its local
  // queue, 1 for its runnext alone, 0 for nothing.
  int stealable(unsigned victim) const;
  std::uint32_t schedtick(unsigned p) const { return ps_[p].schedtick; }
  Gid runnext(unsigned p) const { return ps_[p].runnext; }
  // local() lists p's local queue, the next to run first; runqsize() is its
  // length (runnext not counted, as in Go's schedtrace).
  std::vector<Gid> local(unsigned p) const;
  std::uint32_t runqsize(unsigned p) const { return ps_[p].tail - ps_[p].head; }
  const std::deque<Gid>& global() const { return global_; }
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }

 private:
  struct P {
    Gid runnext = 0;
    std::array<Gid, kLocal> ring{};
    std::uint32_t head = 0;  // runqhead: ring[head % kLocal] is the oldest
    std::uint32_t tail = 0;  // runqtail
    std::uint32_t schedtick = 0;
  };
  // local_put() appends g to p's ring, overflowing as runqputslow() does.
  void local_put(P& p, Gid g);
  // global_get() is globrunqget(p, max): one goroutine to run, and up to a
  // fair share more moved to p's local queue.
  Gid global_get(P& p, std::size_t max);

  std::vector<P> ps_;
  std::deque<Gid> global_;
  std::size_t count_ = 0;
};

}  // namespace gorewind::detail
