// event_record.hpp: an event's one compact binary form. The writer's
// batches hold events as records, the log stream (and so the supervisor's
// shared ring) carries them as records, and the batch writer binds a
// record's fields to the events table's columns.
//
// The form is derived from for_each_field(): every field in its order,
// numbers and enums at their own width in the host's byte order, a bool as
// one byte, the ready list as a u32 count then its int32 entries, the value
// as its ValueForm byte then its int64, its double or its u32 length and
// bytes, a string as its u32 length then its bytes, and the site as the
// writer's u32 site number (0: the runtime). Only the program that wrote a
// record reads it (the stream's two ends are one build on one machine), so
// the form may change with any build; the log's rows are what is kept.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <gorewind/event.hpp>
#include <gorewind/storage/value_codec.hpp>

namespace gorewind::storage {

// RecordReady is a record's ready list in place: int32 entries that may lie
// unaligned.
struct RecordReady {
  std::string_view bytes;
  std::size_t size() const { return bytes.size() / sizeof(std::int32_t); }
  std::int32_t operator[](std::size_t i) const {
    std::int32_t v;
    std::memcpy(&v, bytes.data() + i * sizeof v, sizeof v);
    return v;
  }
};

// RecordValue is a record's value in stored form, its bytes in place.
struct RecordValue {
  ValueForm form = ValueForm::None;
  std::int64_t i = 0;
  double f = 0;
  std::string_view bytes;
};

// SiteNumber is the writer's number for an event's site: its sites are
// numbered 1, 2, ... in order of first use, and 0 is the runtime.
struct SiteNumber {
  std::uint32_t number = 0;
};

// EventRecord is one record read back: every field for_each_field() names,
// its strings viewing the bytes it was read from.
struct EventRecord {
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
  RecordReady ready;
  std::uint64_t cause = 0;
  std::int64_t amount = 0;
  std::int64_t counter = 0;
  RecordValue value;
  std::string_view type_name;
  std::string_view text;
  SiteNumber site;
  std::int32_t p = -1;
  std::int32_t m = -1;
};

// append_record() appends e's record to out, its site as site and its value
// stored by values.
void append_record(const Event& e, SiteNumber site, ValueEncoder& values, std::string& out);

// read_record() reads the record at the start of in into out, whose views
// then point into in. Returns the record's length; throws StorageError when
// in ends before the record does or holds an unknown value form.
std::size_t read_record(std::string_view in, EventRecord& out);

}  // namespace gorewind::storage
