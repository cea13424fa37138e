// decimal.hpp: a count, a seed or a seq as someone typed it.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gorewind {

// parse_decimal() is text as an unsigned decimal integer: digits only, all
// of text, at most 2^64-1. nullopt for anything else: empty, a sign, hex,
// an exponent, trailing words, too many digits.
inline std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || at != end) return std::nullopt;
  return v;
}

}  // namespace gorewind
