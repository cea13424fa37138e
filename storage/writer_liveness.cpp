#include <gorewind/storage/writer_liveness.hpp>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace gorewind::storage {
namespace {

// start_time() is field 22 of /proc/PID/stat; -1 when there is no such
// process. The command name (field 2) may hold spaces and parentheses, so
// fields are counted after its last ')'.
std::int64_t start_time(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string f;
  for (int i = 3; i <= 22; ++i)
    if (!(fields >> f)) return -1;
  // A zombie has exited: its writes are over.
  std::istringstream state(stat.substr(close + 1));
  std::string s;
  state >> s;
  if (s == "Z" || s == "X") return -1;
  return std::stoll(f);
}

}  // namespace

WriterId current_writer() {
  const std::int64_t pid = ::getpid();
  return WriterId{pid, start_time(pid)};
}

bool writer_alive(const WriterId& w) { return w.pid > 0 && start_time(w.pid) == w.start; }

}  // namespace gorewind::storage
