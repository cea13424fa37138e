#include <gorewind/site.hpp>

#include <cstring>

namespace gorewind {

Site Site::from(const std::source_location& loc) {
  return Site{loc.file_name() ? loc.file_name() : "", loc.line(), loc.function_name() ? loc.function_name() : ""};
}

std::string Site::to_string() const {
  if (file.empty()) return "runtime";
  return file + ":" + std::to_string(line);
}

bool is_user_site(const std::source_location& loc) {
  const char* f = loc.file_name();
  // Standard and system headers keep their absolute paths; the user's tree
  // is mapped to relative ones (-fmacro-prefix-map).
  return f && f[0] != '\0' && std::strncmp(f, "/usr/", 5) != 0;
}

}  // namespace gorewind
