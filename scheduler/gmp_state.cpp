// gmp_state.cpp: the live side of gorewind/gmp_state.hpp.
#include <gorewind/gmp_state.hpp>

#include <algorithm>

#include <gorewind/site.hpp>

#include "scheduler.hpp"

namespace gorewind {
namespace detail {

void Scheduler::capture_gmp(GmpState& out) const {
  if (!gmp_) return;
  const Processors& ps = *gmp_;
  for (unsigned p = 0; p < ps.size(); ++p) {
    out.procs.push_back(ProcState{p, ps[p].curg, ps[p].m, ps.queues.runnext(p), ps.queues.local(p),
                                  ps.queues.schedtick(p), p == ps.current() ? now_ : ps[p].clock});
    out.machines.push_back(MachineState{ps[p].m, static_cast<std::int32_t>(p), ps[p].curg});
  }
  // An M in a system call is its goroutine's until the call's timer fires;
  // at the call's Park the M still holds the P (the hand-off follows).
  for (const Timer& t : timers_) {
    if (!t.sleeper || t.sleeper->reason != WaitReason::Syscall) continue;
    const bool handed_off = std::none_of(out.procs.begin(), out.procs.end(),
                                         [&](const ProcState& p) { return p.curg == t.sleeper->id; });
    if (handed_off) out.machines.push_back(MachineState{t.m, -1, t.sleeper->id});
  }
  for (const std::int32_t m : ps.idle_ms()) out.machines.push_back(MachineState{m, -1, 0});
  std::sort(out.machines.begin(), out.machines.end(),
            [](const MachineState& a, const MachineState& b) { return a.id < b.id; });
  out.global.assign(ps.queues.global().begin(), ps.queues.global().end());
}

}  // namespace detail

void GmpTracker::on_run_begin(const RunInfo&) {
  places_.clear();
  state_.reset();
  if (at_ == 0) capture(0);
}

void GmpTracker::on_event(const Event& e) {
  switch (e.kind) {
    case EventKind::Spawn: places_[e.peer] = GoroutinePlace{e.peer, site_text(e.site), {}, -1, -1}; break;
    case EventKind::Switch: places_[e.gid].last_p = e.p; break;
    case EventKind::Exit: places_.erase(e.gid); break;
    default: break;
  }
  // A goroutine's own operations are in the function it runs. (A Wake is
  // reported by the waker under the woken goroutine's id; a Switch shows
  // where the goroutine stands, at first its go statement.)
  if (e.gid != 0 && e.kind != EventKind::Wake && e.kind != EventKind::Switch && e.kind != EventKind::Exit &&
      e.site.file_name()[0] != '\0') {
    GoroutinePlace& g = places_[e.gid];
    if (g.startpc.empty()) g.startpc = e.site.function_name();
  }
  if (e.seq == at_) capture(e.seq);
}

void GmpTracker::capture(std::uint64_t seq) {
  GmpState s;
  s.seq = seq;
  detail::Scheduler::get().capture_gmp(s);
  for (const auto& [gid, place] : places_) {
    GoroutinePlace g = place;
    g.gid = gid;
    for (const MachineState& m : s.machines)
      if (m.curg == gid) g.m = m.id;
    s.goroutines.push_back(std::move(g));
  }
  state_ = std::move(s);
}

}  // namespace gorewind
