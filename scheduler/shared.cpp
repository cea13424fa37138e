#include <gorewind/shared.hpp>

#include <gorewind/heap_counter.hpp>

#include "scheduler.hpp"

namespace gorewind::detail {

bool shared_access(SharedCell& cell, bool store, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return false;
  const std::source_location& site = s.user_site(loc);
  if (cell.generation != s.generation()) {
    cell.generation = s.generation();
    cell.id = s.register_object(ObjKind::Shared, cell.name, 0, "", site);
    s.start_race_detector();
  }
  return s.sched_point({ObjKind::Shared, cell.id, store});
}

void shared_record(SharedCell& cell, bool store, ValueRef value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  const Gid me = s.running()->id;
  const std::source_location& site = s.user_site(loc);
  const std::uint64_t seq = s.emit(store ? EventKind::Store : EventKind::Load, me, site, [&](Event& e) {
    e.obj_kind = ObjKind::Shared;
    e.obj = cell.id;
    e.value = value;
  });
  RaceDetector* race = s.race();
  if (!race) return;
  const std::size_t found = race->access(cell.id, s.object_name(cell.id), me, store, site, seq);
  const std::vector<DataRace>& races = race->races();
  for (std::size_t i = races.size() - found; i < races.size(); ++i) {
    s.text_scratch() = races[i].message();
    s.emit(EventKind::Race, me, site, [&](Event& e) {
      e.obj_kind = ObjKind::Shared;
      e.obj = cell.id;
      e.peer = races[i].earlier.goroutine;
      e.cause = races[i].earlier.seq;
      e.text = s.text_scratch();
    });
  }
  // The first race ends the run, as a fatal error would; end_run() makes
  // it the outcome.
  if (found > 0 && s.options().races == RaceMode::First) s.fail(Outcome::Race, races.back().message(), site);
}

void watch_record(std::string_view name, ValueRef value, const std::source_location& loc) {
  Scheduler& s = Scheduler::get();
  if (s.tearing_down()) return;
  // What a watch keeps is the debugger's, not the program's memory.
  const heap::Pause tools_own;
  s.set_watched(name, value.to_string());
  s.emit(EventKind::Watch, s.running()->id, s.user_site(loc), [&](Event& e) {
    e.text = name;
    e.value = value;
  });
}

}  // namespace gorewind::detail
