#include <gorewind/shared.hpp>

#include "scheduler.hpp"

namespace gorewind::detail {

bool shared_access(SharedCell& cell, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (cell.generation != s.generation()) {
    cell.generation = s.generation();
    cell.id = s.register_object(ObjKind::Shared, cell.name, 0, "", site);
  }
  return s.sched_point();
}

void shared_record(SharedCell& cell, bool store, ValueRef value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  s.emit(store ? EventKind::Store : EventKind::Load, s.running()->id, s.user_site(loc), [&](Event& e) {
    e.obj_kind = ObjKind::Shared;
    e.obj = cell.id;
    e.value = value;
  });
}

void watch_record(std::string_view name, ValueRef value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  s.set_watched(name, value.to_string());
  s.emit(EventKind::Watch, s.running()->id, s.user_site(loc), [&](Event& e) {
    e.text = name;
    e.value = value;
  });
}

}  // namespace gorewind::detail
