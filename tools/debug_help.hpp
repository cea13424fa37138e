// debug_help.hpp: the words of `gorewind debug`, as `help` and
// `debug --help` list them (gdb's and Delve's words, at the granularity of
// events).
#pragma once

namespace gorewind::cli {

// kDebugHelp lists every command of the debugger, one per line or two.
extern const char* const kDebugHelp;

}  // namespace gorewind::cli
