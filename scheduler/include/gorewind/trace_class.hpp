// trace_class.hpp: which Mazurkiewicz trace a run belongs to. Two runs that
// differ only in the order of commuting events (dependence.hpp) are the same
// trace; explore counts the traces it has seen to say how much of the
// program's behaviour its schedules covered.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <gorewind/dependence.hpp>
#include <gorewind/observer.hpp>

namespace gorewind {

// TraceClassHasher hashes a run's Foata normal form: each event's level
// (one more than the highest level of the earlier events it depends on, the
// goroutine's own included, and of the event that woke or spawned its
// goroutine) with what it did, summed over the events. The sum does not
// depend on the order inside a level, and the levels do not depend on the
// order of commuting events, so equivalent runs hash alike. Goroutines and
// objects are named by their creator and their place among its creations,
// not by ids that the schedule hands out.
class TraceClassHasher final : public Observer {
 public:
  void on_run_begin(const RunInfo&) override;
  void on_event(const Event& e) override;
  // hash() is the run's class so far.
  std::uint64_t hash() const { return hash_; }

 private:
  // Goroutine and Object are what the hash keeps of each: its canonical
  // name and the levels its next events are ordered after.
  struct Goroutine {
    std::uint64_t name = 0;
    std::uint32_t level = 0;    // of its latest event
    std::uint32_t enabled = 0;  // the level of the event that woke or spawned it
    std::uint32_t made = 0;     // goroutines and objects it created
  };
  struct Object {
    std::uint64_t name = 0;
    std::uint32_t write = 0;  // the level of its latest write
    std::uint32_t read = 0;   // the highest level of a read since
  };
  Goroutine& goroutine(Gid g);
  Object& object(std::uint64_t key, Gid user);
  // level_of() raises level to what touch t must come after; note() records
  // that t happened at level.
  std::uint32_t level_of(const Touch& t, Gid user, std::uint32_t level);
  void note(const Touch& t, Gid user, std::uint32_t level);

  std::vector<Goroutine> goroutines_;
  std::vector<Object> objects_;                      // by object id
  std::unordered_map<std::uint64_t, Object> keyed_;  // watched names, by key
  std::uint32_t top_ = 0;      // the highest level so far
  std::uint32_t barrier_ = 0;  // the level of the latest Everything
  // By object kind: the level of the latest touch of all its objects, and
  // the highest level of any touch of one.
  std::array<std::uint32_t, 16> all_{};
  std::array<std::uint32_t, 16> any_{};
  std::uint64_t hash_ = 0;
  std::string text_;  // a long value's text
};

}  // namespace gorewind
