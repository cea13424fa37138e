#include <gorewind/record/program_name.hpp>

#include <errno.h>

namespace gorewind::record {

std::string program_name() {
  // glibc keeps argv[0]'s last component from before main() runs, so a
  // library can know its program without being handed argv.
  const char* name = program_invocation_short_name;
  return name != nullptr && name[0] != '\0' ? std::string(name) : std::string("gorewind");
}

}  // namespace gorewind::record
