#include <gorewind/scenario.hpp>

#include <algorithm>
#include <map>
#include <memory>

namespace gorewind {

namespace {
// Function-local so registration from other translation units' static
// initialisers finds it constructed.
std::map<std::string, Scenario, std::less<>>& registry() {
  static std::map<std::string, Scenario, std::less<>> r;
  return r;
}
}  // namespace

detail::ScenarioRegistrar::ScenarioRegistrar(const char* name, const char* description, void (*body)(),
                                             bool kills_process, const char* origin, std::source_location loc) {
  registry().insert_or_assign(name,
                              Scenario{name, description, body, loc.file_name(), loc.line(), kills_process, origin});
}

std::vector<const Scenario*> scenarios() {
  std::vector<const Scenario*> out;
  for (const auto& [name, s] : registry()) out.push_back(&s);
  return out;
}

const Scenario* find_scenario(std::string_view name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

}  // namespace gorewind
