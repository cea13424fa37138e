#include <gorewind/trace.hpp>

#include "scheduler.hpp"

namespace gorewind::detail {

void trace_record(std::string_view label, ValueRef value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  s.emit(EventKind::Trace, s.running()->id, s.user_site(loc), [&](Event& e) {
    e.text = label;
    e.value = value;
  });
}

}  // namespace gorewind::detail
