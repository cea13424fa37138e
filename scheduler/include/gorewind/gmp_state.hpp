// gmp_state.hpp: Go's scheduler at one point of a run under RunOptions::procs,
// as a value: its Ps, its Ms, its global run queue and where each goroutine
// stands, the things Go's schedtrace shows (GODEBUG=schedtrace=1,scheddetail=1).
// The run queues are not in the events, so the state comes from the live
// program: a GmpTracker watching a run, or a replay of a recorded one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/observer.hpp>

namespace gorewind {

// ProcState is one P: running a goroutine or idle.
struct ProcState {
  std::uint32_t id = 0;
  Gid curg = 0;                 // the goroutine its M runs; 0: idle
  std::int32_t m = 0;           // its M
  Gid runnext = 0;              // 0: none
  std::vector<Gid> runq;        // its local run queue, the next to run first
  std::uint32_t schedtick = 0;  // schedules so far (P0 starts at Go's count when main starts)
  std::int64_t clock_ns = 0;    // its virtual CPU clock
  friend bool operator==(const ProcState&, const ProcState&) = default;
};

// MachineState is one M (an OS thread): running its P's goroutine, in a
// blocking system call with its goroutine and no P, or idle.
struct MachineState {
  std::int32_t id = 0;
  std::int32_t p = -1;  // the P it holds; -1: none
  Gid curg = 0;         // the goroutine it runs or whose system call it is in; 0: none
  friend bool operator==(const MachineState&, const MachineState&) = default;
};

// GoroutinePlace is where one goroutine stands in the G-M-P model.
struct GoroutinePlace {
  Gid gid = 0;
  std::string gopc;          // "file:line" of the go statement that made it; "" for main
  std::string startpc;       // the function it runs (that of its first operation); "" before it ran
  std::int32_t m = -1;       // the M running it or in its system call; -1: none
  std::int32_t last_p = -1;  // the P it last ran on; -1: not yet run
  friend bool operator==(const GoroutinePlace&, const GoroutinePlace&) = default;
};

// GmpState is the scheduler right after one event. In gorewind's own model
// (no procs) it is empty.
struct GmpState {
  std::uint64_t seq = 0;
  std::vector<ProcState> procs;            // by id
  std::vector<MachineState> machines;      // by id
  std::vector<Gid> global;                 // the global run queue, the next to run first
  std::vector<GoroutinePlace> goroutines;  // the goroutines that have not exited, by gid
  friend bool operator==(const GmpState&, const GmpState&) = default;
};

// GmpTracker watches a run and keeps its scheduler right after event at
// (0: before the first): the Ps, Ms and global queue as the live runtime
// has them then, and each goroutine's place from the events up to it.
class GmpTracker final : public Observer {
 public:
  explicit GmpTracker(std::uint64_t at) : at_(at) {}
  void on_run_begin(const RunInfo&) override;
  void on_event(const Event& e) override;
  // state() is the scheduler at `at`; nullopt when the run did not get there.
  const std::optional<GmpState>& state() const { return state_; }

 private:
  void capture(std::uint64_t seq);
  std::uint64_t at_;
  std::map<Gid, GoroutinePlace> places_;
  std::optional<GmpState> state_;
};

}  // namespace gorewind
