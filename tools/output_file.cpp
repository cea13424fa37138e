// output_file.cpp: an output compared with the inputs by device and inode.
#include "output_file.hpp"

#include <sys/stat.h>

#include <optional>

#include "cli.hpp"

namespace gorewind::cli {
namespace {

// file_id() is path's device and inode after following symlinks; nullopt
// when there is no such file.
std::optional<std::pair<dev_t, ino_t>> file_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::pair{st.st_dev, st.st_ino};
}

}  // namespace

void refuse_output_over_inputs(std::string_view option, const std::string& output,
                               const std::vector<std::string>& inputs) {
  const auto out = file_id(output);
  if (!out) return;
  for (const std::string& in : inputs) {
    for (const std::string_view suffix : {"", "-wal", "-shm", "-journal"}) {
      if (file_id(in + std::string(suffix)) != out) continue;
      const std::string what = suffix.empty() ? "the event log '" + in + "'"
                                              : "the " + std::string(suffix) + " file of the event log '" + in + "'";
      throw UsageError(std::string(option) + ": '" + output + "' is " + what +
                       " (writing it would destroy the log): choose another file");
    }
  }
}

}  // namespace gorewind::cli
