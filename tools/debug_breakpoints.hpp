// debug_breakpoints.hpp: the debugger's breakpoint words, gdb's: break/b
// PLACE [thread N | -t N] [if COND], tbreak, watch CELL, condition, ignore,
// delete, disable, enable, info breakpoints. Each changes the Timeline's breakpoints and
// says what it did in one line (the table for info).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <gorewind/replay/timeline.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::cli {

// run_breakpoint_command() runs cmd with args on t's breakpoints when cmd is
// a breakpoint word and returns true; false for any other word. Throws
// CommandError (debug_words.hpp) or the library's errors for a mistyped
// argument, leaving the breakpoints as they were.
bool run_breakpoint_command(replay::Timeline& t, storage::EventLogReader& log, const std::string& cmd,
                            const std::vector<std::string>& args, std::ostream& out);

}  // namespace gorewind::cli
