// dap_stream.cpp: see dap_stream.hpp.
#include "dap_stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string_view>

namespace gorewind::cli {

bool DapStream::fill() {
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(in_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::optional<std::string> DapStream::read() {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > 8192) throw DapFramingError("a message header longer than 8 KiB");
    if (!fill()) {
      if (buffer_.empty()) return std::nullopt;
      throw DapFramingError("the input ended inside a message header");
    }
  }
  // Header fields, one per line; only Content-Length matters.
  std::optional<std::size_t> length;
  for (std::size_t at = 0; at < end;) {
    std::size_t eol = buffer_.find("\r\n", at);
    if (eol == std::string::npos || eol > end) eol = end;
    const std::string_view line(buffer_.data() + at, eol - at);
    constexpr std::string_view kField = "Content-Length:";
    if (line.substr(0, kField.size()) == kField) {
      std::string_view v = line.substr(kField.size());
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      std::size_t n = 0;
      const auto [next, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || next != v.data() + v.size() || v.empty())
        throw DapFramingError("Content-Length '" + std::string(v) + "' is not a number");
      length = n;
    }
    at = eol + 2;
  }
  if (!length) throw DapFramingError("a message header without Content-Length");
  if (*length > kMaxBody) throw DapFramingError("a message of " + std::to_string(*length) + " bytes, over the limit");
  const std::size_t body = end + 4;
  while (buffer_.size() < body + *length)
    if (!fill()) throw DapFramingError("the input ended inside a message");
  std::string out = buffer_.substr(body, *length);
  buffer_.erase(0, body + *length);
  return out;
}

bool DapStream::write(const std::string& body) {
  const std::string message = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (std::size_t at = 0; at < message.size();) {
    const ssize_t n = ::write(out_, message.data() + at, message.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace gorewind::cli
