#include <gorewind/replay/run_identity.hpp>

#include <tuple>

namespace gorewind::replay {

RunIdentity RunIdentity::load(storage::EventLogReader& log, std::int64_t run) {
  log.run(run);
  RunIdentity id;
  id.paths_[0] = "runtime";
  storage::Statement g = log.database().prepare("SELECT gid, path FROM goroutines WHERE run = ?1");
  g.bind_int(1, run);
  while (g.step()) id.paths_[static_cast<Gid>(g.column_int(0))] = std::string(g.column_text(1));

  // The maker is the goroutine of the object's Make event.
  storage::Statement o = log.database().prepare(
      "SELECT o.id, o.kind, o.name, coalesce(e.gid, 0) FROM objects o "
      "LEFT JOIN events e ON e.run = o.run AND e.seq = o.created_seq WHERE o.run = ?1 ORDER BY o.id");
  o.bind_int(1, run);
  std::map<std::tuple<std::string, std::int64_t, std::string>, int> made;
  while (o.step()) {
    const auto kind = static_cast<ObjKind>(o.column_int(1));
    std::string name(o.column_text(2));
    const std::string maker = id.path(static_cast<Gid>(o.column_int(3)));
    const int rank = ++made[{maker, o.column_int(1), name}];
    id.objects_[static_cast<std::uint32_t>(o.column_int(0))] =
        Object{std::string(to_string(kind)) + " " + name + " by " + maker + " #" + std::to_string(rank), name};
  }
  return id;
}

std::string RunIdentity::path(Gid gid) const {
  auto it = paths_.find(gid);
  return it != paths_.end() ? it->second : "g" + std::to_string(gid) + "?";
}

std::string RunIdentity::object(std::uint32_t obj) const {
  auto it = objects_.find(obj);
  return it != objects_.end() ? it->second.identity : "#" + std::to_string(obj) + "?";
}

std::string RunIdentity::object_name(std::uint32_t obj) const {
  auto it = objects_.find(obj);
  return it != objects_.end() ? it->second.name : std::string();
}

}  // namespace gorewind::replay
