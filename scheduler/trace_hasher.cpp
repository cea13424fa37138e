#include <gorewind/trace_hasher.hpp>

#include <cstdio>
#include <cstring>
#include <type_traits>

namespace gorewind {

void TraceHasher::mix(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    hash_ ^= b[i];
    hash_ *= 0x100000001b3ull;
  }
}

void TraceHasher::on_event(const Event& e) {
  // Every field in for_each_field's order: numbers (and enums) as 64 bits,
  // the ready list item by item, texts as their bytes, the value as its
  // text, the site as its file and line (not its function: a renamed
  // function is the same run). The trace hash is shown to users, so these
  // bytes never change.
  for_each_field(
      [this](std::string_view, const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::span<const std::int32_t>>) {
          for (std::int32_t r : v) mix_u64(static_cast<std::uint64_t>(r));
        } else if constexpr (std::is_same_v<T, ValueRef>) {
          scratch_ = v.to_string();
          mix(scratch_.data(), scratch_.size());
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          mix(v.data(), v.size());
        } else if constexpr (std::is_same_v<T, std::source_location>) {
          mix(v.file_name(), std::strlen(v.file_name()));
          mix_u64(v.line());
        } else {
          static_assert(std::is_integral_v<T> || std::is_enum_v<T>, "a field the trace hash does not know");
          mix_u64(static_cast<std::uint64_t>(v));
        }
      },
      e);
}

std::string TraceHasher::hex_of(std::uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

}  // namespace gorewind
