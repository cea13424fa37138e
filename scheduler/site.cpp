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
  // Asked at every operation, and a program's operations come from a few
  // files: remember the last file's answer (file names are static strings).
  thread_local const char* last_file = nullptr;
  thread_local bool last_answer = false;
  const char* f = loc.file_name();
  if (f == last_file) return last_answer;
  last_file = f;
  // Standard and system headers keep their absolute paths; the user's tree
  // is mapped to relative ones (-fmacro-prefix-map).
  last_answer = f && f[0] != '\0' && std::strncmp(f, "/usr/", 5) != 0;
  return last_answer;
}

std::string site_text(const std::source_location& loc) {
  return loc.file_name()[0] == '\0' ? std::string() : Site::from(loc).to_string();
}

}  // namespace gorewind
