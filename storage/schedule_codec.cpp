#include <gorewind/storage/schedule_codec.hpp>

#include <cstdint>

#include <gorewind/storage/storage_error.hpp>

namespace gorewind::storage {
namespace {

void put_varint(std::uint32_t v, std::string& out) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::uint32_t get_varint(std::string_view bytes, std::size_t& pos) {
  std::uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.size()) throw StorageError("a stored schedule is truncated");
    const auto b = static_cast<std::uint8_t>(bytes[pos++]);
    v |= static_cast<std::uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  throw StorageError("a stored schedule holds a malformed number");
}

}  // namespace

void encode_choices(std::span<const Choice> choices, std::string& out) {
  for (const Choice& c : choices) {
    out += static_cast<char>(c.kind);
    put_varint(c.options, out);
    put_varint(c.chosen, out);
  }
}

void decode_choices(std::string_view bytes, std::vector<Choice>& out) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    Choice c;
    c.kind = static_cast<std::uint8_t>(bytes[pos++]);
    c.options = get_varint(bytes, pos);
    c.chosen = get_varint(bytes, pos);
    out.push_back(c);
  }
}

}  // namespace gorewind::storage
