// dap_stream.hpp: the Debug Adapter Protocol's framing over a pair of file
// descriptors (stdio, or one socket twice): each message is a header
// `Content-Length: N`, a blank line, then N bytes of JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace gorewind::cli {

// DapFramingError is a header the stream cannot go on after: the message
// boundaries are lost, so the connection must close.
class DapFramingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// DapStream reads messages from in and writes them to out; it owns neither.
class DapStream {
 public:
  DapStream(int in, int out) : in_(in), out_(out) {}

  // read() is the next message's body (unparsed: broken JSON is the
  // caller's to answer); nullopt when the input ends between messages.
  // Throws DapFramingError for a header without a valid Content-Length, a
  // body larger than kMaxBody, or input that ends inside a message.
  std::optional<std::string> read();
  // write() sends one message with its header; false when the other side
  // has gone.
  bool write(const std::string& body);

  // kMaxBody bounds one message, so a wrong Content-Length cannot make the
  // adapter wait for or hold gigabytes.
  static constexpr std::size_t kMaxBody = std::size_t{64} << 20;

 private:
  // fill() reads more input into buffer_; false at its end.
  bool fill();

  int in_;
  int out_;
  std::string buffer_;
};

}  // namespace gorewind::cli
