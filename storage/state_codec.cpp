// state_codec.cpp: one io() per part of RuntimeState serves both directions,
// so saving and loading cannot drift apart.
#include <gorewind/storage/state_codec.hpp>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/common.hpp>

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include <gorewind/storage/storage_error.hpp>

#include "byte_streams.hpp"

namespace gorewind::storage {
namespace {

// Format 2 added each channel's past peers and timer; a format 1 snapshot
// reads with none.
constexpr std::uint32_t kStateFormat = 2;

// Io runs one archive over a RuntimeState in either direction. Every length
// it loads is checked against the bytes left before anything is allocated
// for it, so a damaged or hostile blob costs no more memory than its size.
// The bytes are those of cereal's own string, vector and map serialization.
template <class Archive>
class Io {
 public:
  // left is the bytes still unread when loading; null when saving.
  Io(Archive& ar, const ReadBuf* left, std::uint32_t format) : ar_(ar), left_(left), format_(format) {}

  template <class... Ts>
  void operator()(Ts&... fields) {
    (field(fields), ...);
  }

 private:
  template <class T>
  void field(T& x) {
    if constexpr (std::is_same_v<T, bool> && Archive::is_loading::value) {
      // A bool is one byte, 0 or 1; any other byte would be a bool no code
      // expects (and undefined behaviour to read).
      std::uint8_t b = 0;
      ar_(b);
      if (b > 1) throw cereal::Exception("a flag that is neither 0 nor 1");
      x = b == 1;
    } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      ar_(x);
    } else {
      io(x);
    }
  }

  std::size_t length(std::size_t n) {
    std::uint64_t size = n;
    ar_(cereal::make_size_tag(size));
    if (left_ != nullptr && size > left_->remaining()) throw cereal::Exception("length beyond the blob's end");
    return static_cast<std::size_t>(size);
  }

  void io(std::string& s) {
    s.resize(length(s.size()));
    ar_(cereal::binary_data(s.data(), s.size()));
  }
  template <class T>
  void io(std::vector<T>& v) {
    v.resize(length(v.size()));
    for (T& x : v) field(x);
  }
  void io(std::map<std::string, std::string>& m) {
    const std::size_t n = length(m.size());
    if constexpr (Archive::is_loading::value) {
      m.clear();
      for (std::size_t i = 0; i < n; ++i) {
        std::string key, value;
        (*this)(key, value);
        m.insert_or_assign(std::move(key), std::move(value));
      }
    } else {
      for (auto& [key, value] : m) (*this)(const_cast<std::string&>(key), value);
    }
  }
  void io(GoroutineInfo& g) { (*this)(g.gid, g.parent, g.name, g.status, g.reason, g.obj_kind, g.obj, g.site, g.offering); }
  void io(ChannelInfo& c) {
    (*this)(c.id, c.name, c.type, c.cap, c.closed, c.buffer, c.senders, c.receivers);
    if (format_ >= 2) (*this)(c.past_senders, c.past_receivers, c.timer, c.ticker, c.timer_armed);
  }
  void io(PastPeers& p) {
    for (Gid& g : p.gids) field(g);
  }
  void io(LockInfo& l) { (*this)(l.id, l.kind, l.name, l.owner, l.readers, l.waiters); }
  void io(WaitGroupInfo& w) { (*this)(w.id, w.name, w.counter, w.waiters); }
  void io(RuntimeState& s) { (*this)(s.seq, s.vtime_ns, s.goroutines, s.channels, s.locks, s.wait_groups, s.watched); }

  Archive& ar_;
  const ReadBuf* left_;
  std::uint32_t format_;
};

}  // namespace

std::string encode_state(const RuntimeState& s) {
  std::string out;
  AppendBuf buf(out);
  std::ostream os(&buf);
  {
    cereal::PortableBinaryOutputArchive ar(os);
    std::uint32_t format = kStateFormat;
    ar(format);
    RuntimeState copy = s;  // Io takes non-const references for both directions
    Io<cereal::PortableBinaryOutputArchive>(ar, nullptr, format)(copy);
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
    if (format < 1 || format > kStateFormat)
      throw StorageError("snapshot of unknown format " + std::to_string(format));
    RuntimeState s;
    Io<cereal::PortableBinaryInputArchive>(ar, &buf, format)(s);
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
