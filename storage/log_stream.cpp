#include "log_stream.hpp"

#include <gorewind/storage/schedule_codec.hpp>
#include <gorewind/storage/packed_bytes.hpp>
#include <gorewind/storage/storage_error.hpp>


namespace gorewind::storage {
namespace {

// Out appends fields to a message.
class Out {
 public:
  Out(std::string& out, StreamMessage kind) : out_(out) {
    out_.clear();
    out_ += static_cast<char>(kind);
  }
  template <class T>
  Out& fixed(const T& v) {
    pack(out_, v);
    return *this;
  }
  Out& text(std::string_view s) {
    pack_text(out_, s);
    return *this;
  }
  // rest() ends the message with bytes whose length is the message's.
  void rest(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

// In reads the fields of a message, in the order Out wrote them.
class In : public ByteReader {
 public:
  In(std::string_view message, StreamMessage kind) : ByteReader(fields(message, kind), "log stream: a message") {}
  // done() checks that nothing is left over.
  void done() {
    if (!rest().empty()) throw StorageError("log stream: a message is longer than its fields");
  }

 private:
  // fields() is a message of kind after its kind byte.
  static std::string_view fields(std::string_view message, StreamMessage kind) {
    if (message_kind(message) != kind) throw StorageError("log stream: a message of the wrong kind");
    return message.substr(1);
  }
};

}  // namespace

void encode_begin(const RunHeader& h, std::string& out) {
  Out o(out, StreamMessage::Begin);
  o.text(h.scenario).fixed(static_cast<std::uint32_t>(h.params.size()));
  for (const auto& [k, v] : h.params) o.text(k).text(v);
  o.fixed(h.seed).text(h.strategy).text(h.build).text(h.program).fixed(h.race_mode);
  o.fixed(static_cast<std::uint8_t>(h.heap ? 1 : 0)).fixed(h.procs).fixed(h.cpu_cost_ns);
}

void encode_site(const NewSite& s, std::string& out) {
  Out(out, StreamMessage::Site).fixed(s.number).text(s.file).fixed(s.line).text(s.function);
}

void encode_event(std::string_view record, std::string& out) { Out(out, StreamMessage::Event).rest(record); }

void encode_snapshot(const NewSnapshot& s, std::string& out) {
  Out o(out, StreamMessage::Snapshot);
  o.fixed(s.seq).rest(s.state);
}

void encode_schedule(const ScheduleChunk& c, std::string& out) {
  Out o(out, StreamMessage::Schedule);
  o.fixed(c.chunk).fixed(c.choices).rest(c.data);
}

void encode_digest(const ChunkDigest& d, std::string& out) {
  Out(out, StreamMessage::Digest).fixed(d.chunk).fixed(d.digest);
}

void encode_heap(std::uint64_t seq, std::span<const heap::Delta> deltas, std::string& out) {
  Out o(out, StreamMessage::Heap);
  o.fixed(seq).fixed(static_cast<std::uint32_t>(deltas.size()));
  for (const heap::Delta& d : deltas)
    o.fixed(d.gid).fixed(static_cast<std::uint64_t>(d.site)).fixed(d.alloc_objects).fixed(d.alloc_bytes)
        .fixed(d.free_objects).fixed(d.free_bytes);
}

void decode_heap(std::string_view message, std::uint64_t& seq, std::vector<heap::Delta>& out) {
  In in(message, StreamMessage::Heap);
  seq = in.get<std::uint64_t>();
  for (auto n = in.get<std::uint32_t>(); n > 0; --n) {
    heap::Delta d;
    d.gid = in.get<Gid>();
    d.site = static_cast<std::uintptr_t>(in.get<std::uint64_t>());
    d.alloc_objects = in.get<std::int64_t>();
    d.alloc_bytes = in.get<std::int64_t>();
    d.free_objects = in.get<std::int64_t>();
    d.free_bytes = in.get<std::int64_t>();
    out.push_back(d);
  }
  in.done();
}

void encode_end(const RunEnd& end, std::string& out) {
  Out o(out, StreamMessage::End);
  o.text(end.outcome).text(end.message).fixed(end.failed_gid);
  o.text(end.failed_site.file).fixed(end.failed_site.line).text(end.failed_site.function);
  o.fixed(end.events).fixed(end.vtime_ns).text(end.trace_hash).fixed(static_cast<std::uint8_t>(end.schedule ? 1 : 0));
  std::string choices;
  if (end.schedule) encode_choices(*end.schedule, choices);
  o.rest(choices);
}

StreamMessage message_kind(std::string_view message) {
  if (message.empty()) throw StorageError("log stream: an empty message");
  const auto kind = static_cast<std::uint8_t>(message[0]);
  if (kind < static_cast<std::uint8_t>(StreamMessage::Begin) ||
      kind > static_cast<std::uint8_t>(StreamMessage::Heap))
    throw StorageError("log stream: a message of unknown kind " + std::to_string(kind));
  return static_cast<StreamMessage>(kind);
}

RunHeader decode_begin(std::string_view message) {
  In in(message, StreamMessage::Begin);
  RunHeader h;
  h.scenario = in.text();
  for (auto n = in.get<std::uint32_t>(); n > 0; --n) {
    std::string key(in.text());
    h.params[std::move(key)] = in.text();
  }
  h.seed = in.get<std::uint64_t>();
  h.strategy = in.text();
  h.build = in.text();
  h.program = in.text();
  h.race_mode = in.get<RaceMode>();
  h.heap = in.get<std::uint8_t>() != 0;
  h.procs = in.get<unsigned>();
  h.cpu_cost_ns = in.get<std::int64_t>();
  in.done();
  return h;
}

NewSite decode_site(std::string_view message) {
  In in(message, StreamMessage::Site);
  NewSite s;
  s.number = in.get<std::uint32_t>();
  s.file = in.text();
  s.line = in.get<std::uint32_t>();
  s.function = in.text();
  in.done();
  return s;
}

EventRecord decode_event(std::string_view message, EventBatch& batch) {
  In in(message, StreamMessage::Event);
  const std::string_view record = in.rest();
  EventRecord e;
  if (read_record(record, e) != record.size())
    throw StorageError("log stream: an event message is longer than its record");
  batch.records.append(record);
  ++batch.events;
  return e;
}

NewSnapshot decode_snapshot(std::string_view message) {
  In in(message, StreamMessage::Snapshot);
  NewSnapshot s;
  s.seq = in.get<std::uint64_t>();
  s.state = std::string(in.rest());
  return s;
}

ScheduleChunk decode_schedule(std::string_view message) {
  In in(message, StreamMessage::Schedule);
  ScheduleChunk c;
  c.chunk = in.get<std::uint64_t>();
  c.choices = in.get<std::uint64_t>();
  c.data = std::string(in.rest());
  return c;
}

void encode_choices_message(std::span<const Choice> choices, std::string& out) {
  Out o(out, StreamMessage::Choices);
  std::string bytes;
  encode_choices(choices, bytes);
  o.rest(bytes);
}

void decode_choices_message(std::string_view message, std::vector<Choice>& out) {
  In in(message, StreamMessage::Choices);
  decode_choices(in.rest(), out);
}

ChunkDigest decode_digest(std::string_view message) {
  In in(message, StreamMessage::Digest);
  ChunkDigest d;
  d.chunk = in.get<std::uint64_t>();
  d.digest = in.get<std::uint64_t>();
  in.done();
  return d;
}

RunEnd decode_end(std::string_view message) {
  In in(message, StreamMessage::End);
  RunEnd end;
  end.outcome = in.text();
  end.message = in.text();
  end.failed_gid = in.get<Gid>();
  end.failed_site.file = in.text();
  end.failed_site.line = in.get<std::uint32_t>();
  end.failed_site.function = in.text();
  end.events = in.get<std::uint64_t>();
  end.vtime_ns = in.get<std::int64_t>();
  end.trace_hash = in.text();
  const bool has_schedule = in.get<std::uint8_t>() != 0;
  const std::string_view choices = in.rest();
  if (has_schedule) {
    end.schedule.emplace();
    decode_choices(choices, *end.schedule);
  } else if (!choices.empty()) {
    throw StorageError("log stream: an end without a schedule carries choices");
  }
  return end;
}

}  // namespace gorewind::storage
