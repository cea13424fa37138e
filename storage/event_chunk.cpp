#include "event_chunk.hpp"

#include <bit>
#include <type_traits>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <gorewind/storage/storage_error.hpp>

namespace gorewind::storage {
namespace {

// kFormat is the first byte of every chunk: the encoding's version.
constexpr char kFormat = 1;
constexpr int kMaskBytes = 3;

const EventRecord kDefault{};

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

// minus() and plus() are a - b and a + b wrapping around, as the encoding
// of any two numbers needs (and a damaged chunk must not overflow).
std::int64_t minus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t plus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

void put_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, static_cast<std::size_t>(n));
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// as_int() is an integer or enum field as a signed number.
template <class T>
std::int64_t as_int(T v) {
  if constexpr (std::is_enum_v<T>)
    return static_cast<std::int64_t>(static_cast<std::underlying_type_t<T>>(v));
  else
    return static_cast<std::int64_t>(v);
}

// is_vtime() and is_cause() tell the two fields stored as differences
// (to the previous event's time, to the event's own seq) from the others.
template <class T>
bool is_vtime(const EventRecord& e, const T& field) {
  return static_cast<const void*>(&field) == &e.vtime_ns;
}
template <class T>
bool is_cause(const EventRecord& e, const T& field) {
  return static_cast<const void*>(&field) == &e.cause;
}

// Reader takes a chunk's pieces off its front; anything malformed throws.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  [[noreturn]] static void damaged(const char* what) {
    throw StorageError(std::string("an event chunk is damaged: ") + what);
  }
  std::uint8_t byte() {
    if (at_ >= in_.size()) damaged("it ends early");
    return static_cast<std::uint8_t>(in_[at_++]);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = byte();
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    damaged("a number is too long");
  }
  std::string_view bytes(std::uint64_t n) {
    if (n > in_.size() - at_) damaged("it ends early");
    const std::string_view s = in_.substr(at_, n);
    at_ += n;
    return s;
  }
  bool at_end() const { return at_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t at_ = 0;
};

}  // namespace

void EventChunkEncoder::clear() {
  out_.assign(1, kFormat);
  events_ = 0;
  vtime_ns_ = 0;
}

void EventChunkEncoder::add(const EventRecord& e) {
  const std::size_t mask_at = out_.size();
  out_.append(kMaskBytes, '\0');
  std::uint32_t mask = 0;
  int bit = -1;  // the seq has none
  for_each_field(
      [&](std::string_view, const auto& v, const auto& d) {
        using T = std::decay_t<decltype(v)>;
        const int b = bit++;
        if (b < 0) return;
        if (b >= kMaskBytes * 8) throw StorageError("an event has more fields than a chunk's mask holds");
        bool set = false;
        if constexpr (std::is_same_v<T, RecordReady>) {
          if ((set = v.size() != 0)) {
            put_varint(out_, v.size());
            for (std::size_t i = 0; i < v.size(); ++i) put_varint(out_, zigzag(v[i]));
          }
        } else if constexpr (std::is_same_v<T, RecordValue>) {
          if ((set = v.form != ValueForm::None)) {
            out_ += static_cast<char>(v.form);
            switch (v.form) {
              case ValueForm::None: break;
              case ValueForm::Int: put_varint(out_, zigzag(v.i)); break;
              case ValueForm::Real: put_varint(out_, std::bit_cast<std::uint64_t>(v.f)); break;
              case ValueForm::Text:
              case ValueForm::Blob: put_bytes(out_, v.bytes); break;
            }
          }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          if ((set = !v.empty())) put_bytes(out_, v);
        } else if constexpr (std::is_same_v<T, SiteNumber>) {
          if ((set = v.number != 0)) put_varint(out_, v.number);
        } else if constexpr (std::is_same_v<T, bool>) {
          set = v != d;
        } else if (is_vtime(e, v)) {
          if ((set = e.vtime_ns != vtime_ns_)) put_varint(out_, zigzag(minus(e.vtime_ns, vtime_ns_)));
        } else if (is_cause(e, v)) {
          if ((set = e.cause != 0)) put_varint(out_, zigzag(static_cast<std::int64_t>(e.seq - e.cause)));
        } else {
          if ((set = v != d)) put_varint(out_, zigzag(minus(as_int(v), as_int(d))));
        }
        if (set) mask |= std::uint32_t{1} << b;
      },
      e, kDefault);
  for (int i = 0; i < kMaskBytes; ++i) out_[mask_at + i] = static_cast<char>(mask >> (8 * i));
  vtime_ns_ = e.vtime_ns;
  ++events_;
}

void decode_chunk(std::string_view data, std::uint64_t first_seq, std::uint64_t count, DecodedChunk& out) {
  Reader in(data);
  if (in.byte() != static_cast<std::uint8_t>(kFormat)) Reader::damaged("its format is unknown");
  // Every event takes at least its mask: a count the bytes cannot hold is
  // refused before anything is reserved for it.
  if (count > data.size() / kMaskBytes) Reader::damaged("it holds fewer events than its row says");
  out.events.assign(count, EventRecord{});
  // Each ready entry takes a byte at least: the buffer never moves.
  out.ready.clear();
  out.ready.reserve(data.size() * sizeof(std::int32_t));
  std::int64_t vtime_ns = 0;
  for (std::uint64_t k = 0; k < count; ++k) {
    EventRecord& e = out.events[k];
    e.seq = first_seq + k;
    std::uint32_t mask = 0;
    for (int i = 0; i < kMaskBytes; ++i) mask |= std::uint32_t{in.byte()} << (8 * i);
    int bit = -1;
    for_each_field(
        [&](std::string_view, auto& v) {
          using T = std::decay_t<decltype(v)>;
          const int b = bit++;
          if (b < 0) return;
          const bool set = mask & (std::uint32_t{1} << b);
          mask &= ~(std::uint32_t{1} << b);
          if constexpr (std::is_same_v<T, RecordReady>) {
            if (set) {
              const std::uint64_t n = in.varint();
              if (n > data.size()) Reader::damaged("a ready list is too long");
              const std::size_t at = out.ready.size();
              for (std::uint64_t i = 0; i < n; ++i) {
                const auto r = static_cast<std::int32_t>(unzigzag(in.varint()));
                out.ready.append(reinterpret_cast<const char*>(&r), sizeof r);
              }
              v.bytes = std::string_view(out.ready).substr(at);
            }
          } else if constexpr (std::is_same_v<T, RecordValue>) {
            if (set) {
              v.form = static_cast<ValueForm>(in.byte());
              switch (v.form) {
                case ValueForm::Int: v.i = unzigzag(in.varint()); break;
                case ValueForm::Real: v.f = std::bit_cast<double>(in.varint()); break;
                case ValueForm::Text:
                case ValueForm::Blob: v.bytes = in.bytes(in.varint()); break;
                default: Reader::damaged("a value has an unknown form");
              }
            }
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            if (set) v = in.bytes(in.varint());
          } else if constexpr (std::is_same_v<T, SiteNumber>) {
            if (set) v.number = static_cast<std::uint32_t>(in.varint());
          } else if constexpr (std::is_same_v<T, bool>) {
            if (set) v = !v;
          } else if (is_vtime(e, v)) {
            if (set) vtime_ns = plus(vtime_ns, unzigzag(in.varint()));
            e.vtime_ns = vtime_ns;
          } else if (is_cause(e, v)) {
            if (set) e.cause = e.seq - static_cast<std::uint64_t>(unzigzag(in.varint()));
          } else if (set) {
            const std::int64_t n = plus(as_int(v), unzigzag(in.varint()));
            if constexpr (std::is_enum_v<T>)
              v = static_cast<T>(static_cast<std::underlying_type_t<T>>(n));
            else
              v = static_cast<T>(n);
          }
        },
        e);
    if (mask != 0) Reader::damaged("an event has a field this build does not know");
  }
  if (!in.at_end()) Reader::damaged("it holds more than its row says");
}

std::int64_t chunk_checksum(std::string_view data) {
  return static_cast<std::int64_t>(XXH3_64bits(data.data(), data.size()));
}

}  // namespace gorewind::storage
