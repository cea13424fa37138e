// program_name.hpp: which program recorded a run.
#pragma once

#include <string>

namespace gorewind::record {

// program_name() is the running executable's name as it was started (argv[0]
// without its directory: "gorewind", "my_tests"), the program a user runs
// again to re-execute one of its runs. Never a path, so a log does not
// depend on where the program was built or installed.
std::string program_name();

}  // namespace gorewind::record
