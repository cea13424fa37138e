// dependence.hpp: which events of a run commute. The one description of
// the dependence relation that dpor's search and the trace classes
// (trace_class.hpp) both use; docs/strategies.md gives the reason for each
// row.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <gorewind/event.hpp>

namespace gorewind {

// Touch is what one event does to state another goroutine can observe.
struct Touch {
  enum class Scope : std::uint8_t {
    Local,       // nothing another goroutine sees (a spawn, a yield, a rand, a trace)
    Object,      // one object (key), or every object of its kind (key 0)
    Everything,  // the whole run: the clock's step, main's return, a panic, a failed check
  };
  Scope scope = Scope::Local;
  ObjKind kind = ObjKind::None;  // Object: the object's kind (None: a watched name)
  bool write = true;             // Object: false only for a shared cell's load
  std::uint64_t key = 0;         // Object: the object's id or a watched name's key (watch_key); 0: all of kind
  bool operator==(const Touch&) const = default;
};

// EventTouches is an event's touches: one, or two for a Cond's signal.
struct EventTouches {
  std::array<Touch, 2> items{};
  std::uint8_t size = 0;
  const Touch* begin() const { return items.data(); }
  const Touch* end() const { return items.data() + size; }
};

// touches_of() is e's touches; none when it is Local. Wake and Spawn touch
// nothing here: they order the woken or spawned goroutine's next event after
// the waker's (an enabling edge, which both users add on their own).
EventTouches touches_of(const Event& e);

// conflicts() says whether two touches may not commute: Everything with
// anything, and two on one object (or on every object of its kind) when at
// least one writes. Events of one goroutine are always ordered besides.
bool conflicts(const Touch& a, const Touch& b);

// watch_key() is the key of a watched name's Object touch: its hash with
// the top bit set, so it never meets an object id. Two names that collide
// only add order, never remove it.
std::uint64_t watch_key(std::string_view name);

}  // namespace gorewind
