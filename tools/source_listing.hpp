// source_listing.hpp: the lines of a source file around one line, as gdb's
// and Delve's `list` print them, the line itself marked:
//
//      12	  gr::chan<int> value(0, "value");
//   => 13	  gr::go([&] { value.send(42); }, "sender");
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gorewind::cli {

// SourceLine is one line of a source file.
struct SourceLine {
  std::uint32_t number = 0;  // from 1
  std::string text;
};

// source_lines() are lines line-5 to line+4 of the file at path (those that
// exist); none when it cannot be read.
std::optional<std::vector<SourceLine>> source_lines(const std::string& path, std::uint32_t line);

// write_source_lines() prints lines line-5 to line+4 of dir/file (those
// that exist). Throws std::runtime_error, naming the file, when it cannot
// be read.
void write_source_lines(std::ostream& out, const std::string& dir, const std::string& file, std::uint32_t line);

}  // namespace gorewind::cli
