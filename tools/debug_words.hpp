// debug_words.hpp: reading the words of a debugger command line: splitting
// it, counts, goroutines, and the one-line error for a mistyped argument.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/decimal.hpp>
#include <gorewind/event.hpp>

namespace gorewind::cli {

// CommandError is a command the session cannot do as typed: one line, and
// the session goes on.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// words() splits line at blanks.
inline std::vector<std::string> words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// joined() is the words from..to with one blank between two.
inline std::string joined(std::vector<std::string>::const_iterator from, std::vector<std::string>::const_iterator to) {
  std::string s;
  for (auto it = from; it != to; ++it) s += (s.empty() ? "" : " ") + *it;
  return s;
}

// count_arg() is a command's optional count argument, at least 1 (fallback
// when there is none). Throws CommandError for anything else.
inline std::uint64_t count_arg(const std::string& cmd, const std::vector<std::string>& args, std::uint64_t fallback) {
  if (args.empty()) return fallback;
  const auto n = parse_decimal(args[0]);
  if (!n || *n == 0) throw CommandError(cmd + ": '" + args[0] + "' is not a count");
  return *n;
}

// gid_arg() is text as a goroutine, G or gG. Throws CommandError otherwise.
inline Gid gid_arg(const std::string& cmd, const std::string& text) {
  const auto g = parse_decimal(text.starts_with("g") ? std::string_view(text).substr(1) : std::string_view(text));
  if (!g || *g == 0 || *g > UINT32_MAX) throw CommandError(cmd + ": '" + text + "' is not a goroutine (G or gG)");
  return static_cast<Gid>(*g);
}

}  // namespace gorewind::cli
