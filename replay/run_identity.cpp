#include <gorewind/replay/run_identity.hpp>

#include <tuple>

namespace gorewind::replay {

RunIdentity RunIdentity::load(storage::EventLogReader& log, std::int64_t run) {
  log.run(run);
  RunIdentity id;
  id.paths_[0] = "runtime";
  for (storage::GoroutineRow& g : log.goroutines(run)) id.paths_[g.gid] = std::move(g.path);

  std::map<std::tuple<std::string, ObjKind, std::string>, int> made;
  for (const storage::ObjectRow& o : log.objects(run)) {
    const std::string maker = id.path(o.maker);
    const int rank = ++made[{maker, o.kind, o.name}];
    id.objects_[o.id] =
        Object{std::string(to_string(o.kind)) + " " + o.name + " by " + maker + " #" + std::to_string(rank), o.name};
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
