#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind {

void panic(std::string message, std::source_location loc) {
  detail::Scheduler& s = detail::Scheduler::get();
  throw Panic(std::move(message), s.user_site(loc));
}

void check(bool cond, std::string_view message, std::source_location loc) {
  if (cond) return;
  detail::Scheduler& s = detail::Scheduler::get();
  if (s.tearing_down()) return;
  s.fail(Outcome::CheckFailed, std::string(message), s.user_site(loc));
}

}  // namespace gorewind
