#include <gorewind/trace_hasher.hpp>

#include <cstdio>
#include <cstring>

namespace gorewind {

void TraceHasher::mix(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    hash_ ^= b[i];
    hash_ *= 0x100000001b3ull;
  }
}

void TraceHasher::on_event(const Event& e) {
  mix_u64(e.seq);
  mix_u64(static_cast<std::uint64_t>(e.vtime_ns));
  mix_u64(e.gid);
  mix_u64(static_cast<std::uint64_t>(e.kind));
  mix_u64(static_cast<std::uint64_t>(e.obj_kind));
  mix_u64(e.obj);
  mix_u64(e.peer);
  mix_u64(static_cast<std::uint64_t>(e.reason));
  mix_u64(e.ok);
  mix_u64(static_cast<std::uint64_t>(e.select_case));
  for (std::int32_t r : e.ready) mix_u64(static_cast<std::uint64_t>(r));
  mix_u64(e.cause);
  mix_u64(static_cast<std::uint64_t>(e.amount));
  mix_u64(static_cast<std::uint64_t>(e.counter));
  scratch_ = e.value.to_string();
  mix(scratch_.data(), scratch_.size());
  mix(e.type_name.data(), e.type_name.size());
  mix(e.text.data(), e.text.size());
  const char* file = e.site.file_name();
  mix(file, std::strlen(file));
  mix_u64(e.site.line());
}

std::string TraceHasher::hex_of(std::uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

}  // namespace gorewind
