// site.hpp: a place in the user's source code.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>

namespace gorewind {

// Site is a source location as a value: the file relative to the source tree
// (when the build maps it, see CMakeLists.txt), the line and the function.
// An empty file means "inside the runtime" (a timer firing, for example).
struct Site {
  std::string file;
  std::uint32_t line = 0;
  std::string function;

  // from() copies a std::source_location.
  static Site from(const std::source_location& loc);
  // to_string() gives "file:line", or "runtime" for an empty site.
  std::string to_string() const;
  bool empty() const { return file.empty(); }
  friend bool operator==(const Site&, const Site&) = default;
};

// is_user_site() says whether a location lies in user code rather than in a
// system or standard library header (absolute paths outside the source tree).
// Operations reached through std::lock_guard and friends record the calling
// goroutine's last user site instead of the header's line.
bool is_user_site(const std::source_location& loc);

// site_text() is "file:line" of loc, or "" inside the runtime.
std::string site_text(const std::source_location& loc);

}  // namespace gorewind
