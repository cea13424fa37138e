#include <gorewind/time.hpp>

#include <gorewind/channel.hpp>

#include "scheduler.hpp"

namespace gorewind {

void sleep(Duration d, std::source_location loc) { detail::Scheduler::get().sleep(d, loc); }

void work(Duration d, std::source_location loc) { detail::Scheduler::get().work(d, loc); }

void syscall(Duration d, std::source_location loc) { detail::Scheduler::get().sleep(d, loc, WaitReason::Syscall); }

chan<Time> after(Duration d, std::source_location loc) {
  detail::Scheduler& s = detail::Scheduler::get();
  if (s.tearing_down()) return chan<Time>::nil();
  return *s.new_timer("after", d, Duration::zero(), loc)->channel;
}

}  // namespace gorewind
