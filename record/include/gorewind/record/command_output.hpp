// command_output.hpp: another program run to its end, its standard output
// kept: binutils' addr2line for the symbolizer, gorewind's own `record`
// for an editor's launch by scenario.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gorewind::record {

// CommandOutput is what a finished program printed on stdout, and how it
// ended (exit_code -1: killed by a signal).
struct CommandOutput {
  std::string out;
  int exit_code = 0;
};

// Stderr is where the program's stderr goes: nowhere, into out with its
// stdout (an error line to show), or to this process's.
enum class Stderr { Discard, Merge, Inherit };

// command_output() runs argv (argv[0] looked up in PATH when it has no
// '/'), its stdin from /dev/null, and waits for it. nullopt when it cannot
// be started.
std::optional<CommandOutput> command_output(const std::vector<std::string>& argv, Stderr err);

}  // namespace gorewind::record
