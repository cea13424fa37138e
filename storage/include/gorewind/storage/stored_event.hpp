// stored_event.hpp: one row of the events table read back, as a value, and
// as the Event the runtime emitted (for TraceHasher, StateBuilder and
// anything else written against the observer interface).
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/site.hpp>
#include <gorewind/storage/value_codec.hpp>

namespace gorewind::storage {

// StoredEvent holds every field of an Event, owning its strings, plus the
// names a listing shows (joined from the goroutines and objects tables).
struct StoredEvent {
  std::uint64_t seq = 0;
  std::int64_t vtime_ns = 0;
  Gid gid = 0;
  EventKind kind = EventKind::Switch;
  ObjKind obj_kind = ObjKind::None;
  std::uint32_t obj = 0;
  Gid peer = 0;
  WaitReason reason = WaitReason::None;
  bool ok = true;
  std::int32_t select_case = -1;
  std::vector<std::int32_t> ready;
  std::uint64_t cause = 0;
  std::int64_t amount = 0;
  std::int64_t counter = 0;
  StoredValue value;
  std::string type_name;
  std::string text;
  Site site;
  std::int32_t p = -1;
  std::int32_t m = -1;
  std::string goroutine_name;  // of gid ("" for the runtime)
  std::string object_name;     // of obj ("" for none)

  // value_text() is the value as it read live; "<corrupt>" when damaged.
  std::string value_text() const { return storage::value_text(value); }
};

// EventView presents a StoredEvent as the Event the runtime emitted: every
// field TraceHasher hashes reads as it did live, so hashing the views of a
// run's stored events gives the run's trace hash. The view is valid while
// both the EventView and the StoredEvent live unchanged.
class EventView {
 public:
  explicit EventView(const StoredEvent& e);
  EventView(const EventView&) = delete;
  EventView& operator=(const EventView&) = delete;
  const Event& event() const { return event_; }

 private:
  // SourceSite mirrors libstdc++'s std::source_location::__impl: the only
  // way to make a std::source_location for a file and line read from disk.
  struct SourceSite {
    const char* file;
    const char* function;
    unsigned line;
    unsigned column;
  };
  SourceSite site_{};
  std::string text_;  // the value's text, shown through value_type_
  Event event_;
};

}  // namespace gorewind::storage
