#include <gorewind/select.hpp>

#include <array>
#include <memory>

#include "chan_ops.hpp"
#include "scheduler.hpp"

namespace gorewind::detail {

namespace {
constexpr std::size_t kMaxCases = 64;
constexpr std::size_t kInlineWaiters = 8;
}  // namespace

int select_impl(std::span<SelectCase> cases, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return -1;
  if (cases.size() > kMaxCases) throw Error("gorewind: a select has at most 64 cases");
  const std::source_location& site = s.user_site(loc);
  // Which of its channels it will touch is not known yet: any of them.
  if (!s.sched_point({ObjKind::Chan, 0})) return -1;
  Goroutine* g = s.running();

  std::array<std::int32_t, kMaxCases> ready_buf;
  std::size_t ready = 0;
  int default_case = -1;
  std::size_t channels = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SelectCase& c = cases[i];
    if (c.is_default) {
      default_case = static_cast<int>(i);
      continue;
    }
    if (!c.ch) continue;  // a nil channel is never ready
    ++channels;
    if (c.is_send ? ChanOps::send_ready(*c.ch) : ChanOps::recv_ready(*c.ch))
      ready_buf[ready++] = static_cast<std::int32_t>(i);
  }
  const std::span<const std::int32_t> ready_cases(ready_buf.data(), ready);
  auto emit_select = [&](int chosen, std::span<const std::int32_t> seen, std::uint64_t cause) {
    s.emit(EventKind::Select, g->id, site, [&](Event& e) {
      e.select_case = chosen;
      e.ready = seen;
      e.cause = cause;
      if (chosen >= 0 && cases[chosen].ch) {
        e.obj_kind = ObjKind::Chan;
        e.obj = cases[chosen].ch->id();
      }
    });
  };

  if (ready > 0) {
    const std::size_t pick = ready > 1 ? s.strategy().pick(Decision::SelectCase, ready) : 0;
    if (pick >= ready) throw Error("gorewind: strategy picked a select case out of range");
    const int chosen = ready_buf[pick];
    SelectCase& c = cases[chosen];
    emit_select(chosen, ready_cases, 0);
    if (c.is_send) ChanOps::send_now(*c.ch, s, c.data, site, chosen);
    else c.ok = ChanOps::recv_now(*c.ch, s, c.data, site, chosen);
    return chosen;
  }
  if (default_case >= 0) {
    emit_select(default_case, {}, 0);
    return default_case;
  }
  if (channels == 0) {
    s.park(WaitReason::SelectNoCases, 0, site);
    return -1;  // only reached when the run has ended
  }

  // Wait on every channel at once; the first to complete fires the select
  // and unlinks the rest (Scheduler::complete).
  std::array<Waiter, kInlineWaiters> inline_waiters;
  std::unique_ptr<Waiter[]> heap_waiters;
  Waiter* waiters = inline_waiters.data();
  if (channels > kInlineWaiters) {
    heap_waiters = std::make_unique<Waiter[]>(channels);
    waiters = heap_waiters.get();
  }
  SelectWait sel;
  sel.waiters = waiters;
  sel.count = channels;
  const std::uint32_t first_obj = [&] {
    for (const SelectCase& c : cases)
      if (c.ch) return c.ch->id();
    return 0u;
  }();
  std::size_t k = 0;
  std::array<std::int32_t, kMaxCases> waits;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SelectCase& c = cases[i];
    if (!c.ch) continue;
    waits[k] = c.is_send ? -static_cast<std::int32_t>(c.ch->id()) : static_cast<std::int32_t>(c.ch->id());
    Waiter& w = waiters[k++];
    w.g = g;
    w.data = c.data;
    w.is_send = c.is_send;
    w.sel = &sel;
    w.case_index = static_cast<int>(i);
    (c.is_send ? c.ch->sendq : c.ch->recvq).push_back(&w);
  }
  s.park(WaitReason::Select, first_obj, site, {}, {waits.data(), channels});
  if (sel.fired < 0) return -1;  // torn down
  const int chosen = sel.fired;
  const Waiter* fired = nullptr;
  for (std::size_t i = 0; i < channels; ++i)
    if (waiters[i].case_index == chosen) fired = &waiters[i];
  SelectCase& c = cases[chosen];
  emit_select(chosen, {}, fired->cause);
  if (c.is_send) ChanOps::finish_send(*c.ch, s, *fired, site, chosen);
  else c.ok = ChanOps::finish_recv(*c.ch, s, *fired, site, chosen);
  return chosen;
}

}  // namespace gorewind::detail

namespace gorewind {

int select(std::source_location loc) {
  detail::Scheduler& s = detail::Scheduler::get();
  if (s.tearing_down()) return -1;
  const std::source_location& site = s.user_site(loc);
  if (!s.sched_point({})) return -1;
  s.park(WaitReason::SelectNoCases, 0, site);
  return -1;
}

}  // namespace gorewind
