// breakpoint_text.hpp: a Timeline's breakpoints as the debugger prints
// them: one line when set or hit, and `info breakpoints`' table:
//
//   breakpoint 1: scenarios/handoff.cpp:13 if value == 42
//
//   Num  Type        Disp  Enb  Hits  What
//   1    breakpoint  keep  y    1     scenarios/handoff.cpp:13 if value == 42
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <gorewind/replay/breakpoint.hpp>

namespace gorewind::cli {

// breakpoint_label() is "breakpoint N: PLACE [if CONDITION]" (watchpoint,
// temporary breakpoint), no newline.
std::string breakpoint_label(const replay::Breakpoint& b);

// write_breakpoint_table() prints the table of breakpoints; "no
// breakpoints" when there is none.
void write_breakpoint_table(std::ostream& out, const std::vector<replay::Breakpoint>& breakpoints);

}  // namespace gorewind::cli
