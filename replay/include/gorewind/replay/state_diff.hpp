// state_diff.hpp: two runtime states compared field by field, across runs.
//
// Goroutines are matched by spawn path and channels, locks and WaitGroups by
// their RunIdentity (maker and rank), never by id, so the states may come
// from two runs whose ids went apart, or from two points of one run.
// Goroutines named inside a field (senders, an owner, waiters) are compared
// by spawn path too, and shown by their id in their own run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/gmp_state.hpp>
#include <gorewind/replay/run_identity.hpp>
#include <gorewind/state.hpp>

namespace gorewind::replay {

// EntityKind is what one compared entry of a state is.
// The last four are Go's scheduler (gmp_state.hpp): a P, an M, the global
// run queue and a goroutine's place.
enum class EntityKind : std::uint8_t {
  Clock, Goroutine, Channel, Lock, WaitGroup, Watched, Proc, Machine, GlobalQueue, Placement
};
// to_string() is "clock", "goroutine", "channel", "lock", "wait_group",
// "watched", "p", "m", "global_queue", "placement".
std::string_view to_string(EntityKind k);

// StateField is one property of an entity: its name ("state", "buffer",
// "owner", ...), its text as shown in its own run (goroutines as g<id>),
// and key, the form compared across runs (goroutines as spawn paths).
struct StateField {
  std::string name;
  std::string text;
  std::string key;
};

// EntityPair is one entity of either state with its fields on each side.
struct EntityPair {
  EntityKind kind = EntityKind::Clock;
  std::string identity;  // spawn path, object identity, watched name; "vtime" for the clock
  std::string label_a, label_b;  // as each run names it ("g3 handler", "chan loaded"); "" where absent
  std::optional<std::vector<StateField>> a, b;  // nullopt: the entity is absent on that side
  std::vector<std::string> differing;  // names of the fields whose keys differ
  // differs() is true when the entity is on one side only or a field differs.
  bool differs() const { return !a || !b || !differing.empty(); }
};

// StateDiff is every entity of two states: the clock, then goroutines,
// channels, locks, WaitGroups and watched values, each group in the first
// state's order followed by those only the second has.
struct StateDiff {
  std::vector<EntityPair> entities;
  // differences() counts the entities that differ.
  std::size_t differences() const;
};

// diff_states() compares a (named by ids_a) with b (named by ids_b).
StateDiff diff_states(const RuntimeState& a, const RunIdentity& ids_a, const RuntimeState& b,
                      const RunIdentity& ids_b);

// diff_gmp() adds to d the comparison of two runs' schedulers: each P and
// each M by number, the global queue, then each goroutine's place by spawn
// path. Two empty states (gorewind's own model) add nothing.
void diff_gmp(const GmpState& a, const RunIdentity& ids_a, const GmpState& b, const RunIdentity& ids_b,
              StateDiff& d);

}  // namespace gorewind::replay
