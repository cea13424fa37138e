// shared_schedule.cpp: see shared_schedule.hpp.
#include <gorewind/record/shared_schedule.hpp>

#include <cstring>
#include <string_view>
#include <type_traits>

namespace gorewind::record {

static_assert(std::is_trivially_copyable_v<Choice>);

void SharedSchedule::add(const Choice& c) { tape_.append({reinterpret_cast<const char*>(&c), sizeof c}); }

std::vector<Choice> SharedSchedule::choices() const {
  const std::string_view bytes = tape_.bytes();
  std::vector<Choice> out(bytes.size() / sizeof(Choice));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(Choice));
  return out;
}

}  // namespace gorewind::record
