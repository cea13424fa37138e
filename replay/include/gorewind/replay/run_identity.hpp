// run_identity.hpp: names for a run's goroutines and objects that mean the
// same thing in another run. Ids are numbered in creation order within one
// run, so once two runs part, goroutine 4 of one need not be goroutine 4 of
// the other; a goroutine's spawn path and an object's maker and rank do
// not depend on what else was created meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <gorewind/event.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::replay {

// RunIdentity maps one run's ids to identities shared across runs: a
// goroutine to its spawn path ("1" main, "1.2" main's second goroutine;
// "runtime" for gid 0), an object to "KIND NAME by PATH #RANK" (the
// goroutine that made it and how many objects of that kind and name it
// had made before, counting from 1).
class RunIdentity {
 public:
  RunIdentity() = default;
  // load() reads run's goroutines and objects from log. Throws
  // storage::StorageError for an unknown run.
  static RunIdentity load(storage::EventLogReader& log, std::int64_t run);

  // path() is gid's spawn path; "g<gid>?" for a goroutine the log does not name.
  std::string path(Gid gid) const;
  // object() is obj's identity; "#<id>?" for an id the log does not name.
  std::string object(std::uint32_t id) const;
  // object_name() is obj's name as the program gave it ("" when unnamed or unknown).
  std::string object_name(std::uint32_t id) const;

 private:
  struct Object {
    std::string identity;
    std::string name;
  };
  std::map<Gid, std::string> paths_;
  std::map<std::uint32_t, Object> objects_;
};

}  // namespace gorewind::replay
