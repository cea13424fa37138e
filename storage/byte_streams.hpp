// byte_streams.hpp: std::streambufs over memory for cereal's archives, so
// encoding appends straight to a std::string and decoding reads a column's
// bytes in place.
#pragma once

#include <streambuf>
#include <string>
#include <string_view>

namespace gorewind::storage {

// AppendBuf appends everything written to it to a string.
class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string& out) : out_(out) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) out_ += traits_type::to_char_type(c);
    return traits_type::not_eof(c);
  }

 private:
  std::string& out_;
};

// ReadBuf reads the bytes of a view; at its end reads fail (cereal throws).
class ReadBuf final : public std::streambuf {
 public:
  explicit ReadBuf(std::string_view in) {
    char* p = const_cast<char*>(in.data());  // get area only: never written
    setg(p, p, p + in.size());
  }
  bool at_end() const { return gptr() == egptr(); }
  // remaining() is how many bytes are left to read: no length read from the
  // bytes can honestly be larger.
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

}  // namespace gorewind::storage
