// packed_bytes.hpp: how this build packs values into bytes and reads them
// back (the log stream's messages, event records, explore's worker reports,
// a search's saved state and journal): fixed-width values in the host's byte
// order, strings as a u32 length then their bytes. Bytes that never leave
// this build's processes, so no byte order is fixed.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include <gorewind/error.hpp>

namespace gorewind {

// pack() appends v's bytes to out.
template <class T>
void pack(std::string& out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// pack_text() appends s as its u32 length then its bytes.
inline void pack_text(std::string& out, std::string_view s) {
  pack(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// BasicByteReader takes pieces off the front of its bytes; running out
// throws Failure "<what> ends early" (each layer its own error type).
template <class Failure = Error>
class BasicByteReader {
 public:
  BasicByteReader(std::string_view in, std::string_view what) : in_(in), what_(what) {}
  std::string_view take(std::size_t n) {
    if (in_.size() - at_ < n) throw Failure(std::string(what_) + " ends early");
    const std::string_view b = in_.substr(at_, n);
    at_ += n;
    return b;
  }
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof v).data(), sizeof v);
    return v;
  }
  // text() is a string packed by pack_text().
  std::string_view text() { return take(get<std::uint32_t>()); }
  // rest() is everything not yet taken.
  std::string_view rest() { return take(in_.size() - at_); }
  // used() is how many bytes have been taken.
  std::size_t used() const { return at_; }
  // done() says whether every byte has been taken.
  bool done() const { return at_ == in_.size(); }

 private:
  std::string_view in_;
  std::string_view what_;
  std::size_t at_ = 0;
};

}  // namespace gorewind
