#include <gorewind/param.hpp>

#include <charconv>

#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind {

namespace {
const std::string* find_param(std::string_view key) {
  detail::Scheduler& s = detail::Scheduler::get();
  s.note_param_read(key);
  const auto& params = s.options().params;
  auto it = params.find(std::string(key));
  return it == params.end() ? nullptr : &it->second;
}
}  // namespace

std::string param_string(std::string_view key, std::string_view fallback) {
  const std::string* v = find_param(key);
  return v ? *v : std::string(fallback);
}

std::int64_t param_int(std::string_view key, std::int64_t fallback) {
  const std::string* v = find_param(key);
  if (!v) return fallback;
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size())
    throw Error("parameter " + std::string(key) + "=" + *v + " is not an integer");
  return out;
}

}  // namespace gorewind
