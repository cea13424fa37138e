// state_codec.cpp: one io() per part of RuntimeState serves both directions,
// so saving and loading cannot drift apart.
#include <gorewind/storage/state_codec.hpp>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/common.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <istream>
#include <ostream>

#include <gorewind/storage/storage_error.hpp>

#include "byte_streams.hpp"

namespace gorewind::storage {
namespace {

constexpr std::uint32_t kStateFormat = 1;

template <class Archive>
void io(Archive& ar, GoroutineInfo& g) {
  ar(g.gid, g.parent, g.name, g.status, g.reason, g.obj_kind, g.obj, g.site, g.offering);
}

template <class Archive>
void io(Archive& ar, ChannelInfo& c) {
  ar(c.id, c.name, c.type, c.cap, c.closed, c.buffer, c.senders, c.receivers);
}

template <class Archive>
void io(Archive& ar, LockInfo& l) {
  ar(l.id, l.kind, l.name, l.owner, l.readers, l.waiters);
}

template <class Archive>
void io(Archive& ar, WaitGroupInfo& w) {
  ar(w.id, w.name, w.counter, w.waiters);
}

// io() of a vector: its size, then each element (resizing is a no-op when
// saving). A size beyond the blob's bytes is damage, not a reason to allocate.
template <class Archive, class T>
void io(Archive& ar, std::vector<T>& v, std::size_t limit) {
  std::uint64_t n = v.size();
  ar(cereal::make_size_tag(n));
  if (n > limit) throw cereal::Exception("snapshot list longer than its blob");
  v.resize(static_cast<std::size_t>(n));
  for (T& x : v) io(ar, x);
}

template <class Archive>
void io(Archive& ar, RuntimeState& s, std::size_t limit) {
  ar(s.seq, s.vtime_ns);
  io(ar, s.goroutines, limit);
  io(ar, s.channels, limit);
  io(ar, s.locks, limit);
  io(ar, s.wait_groups, limit);
  ar(s.watched);
}

}  // namespace

std::string encode_state(const RuntimeState& s) {
  std::string out;
  AppendBuf buf(out);
  std::ostream os(&buf);
  {
    cereal::PortableBinaryOutputArchive ar(os);
    std::uint32_t format = kStateFormat;
    ar(format);
    RuntimeState copy = s;  // io() takes non-const references for both directions
    io(ar, copy, SIZE_MAX);
  }
  return out;
}

RuntimeState decode_state(std::string_view blob) {
  try {
    ReadBuf buf(blob);
    std::istream in(&buf);
    cereal::PortableBinaryInputArchive ar(in);
    std::uint32_t format = 0;
    ar(format);
    if (format != kStateFormat)
      throw StorageError("snapshot of unknown format " + std::to_string(format));
    RuntimeState s;
    io(ar, s, blob.size());
    if (!buf.at_end()) throw StorageError("snapshot with trailing bytes");
    return s;
  } catch (const StorageError&) {
    throw;
  } catch (const std::exception& e) {
    // cereal's own errors, and a damaged length asking for impossible memory.
    throw StorageError(std::string("damaged snapshot: ") + e.what());
  }
}

}  // namespace gorewind::storage
