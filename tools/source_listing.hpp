// source_listing.hpp: the lines of a source file around one line, as gdb's
// and Delve's `list` print them, the line itself marked:
//
//      12	  gr::chan<int> value(0, "value");
//   => 13	  gr::go([&] { value.send(42); }, "sender");
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace gorewind::cli {

// write_source_lines() prints lines line-5 to line+4 of dir/file (those
// that exist). Throws std::runtime_error, naming the file, when it cannot
// be read.
void write_source_lines(std::ostream& out, const std::string& dir, const std::string& file, std::uint32_t line);

}  // namespace gorewind::cli
