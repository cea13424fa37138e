#include "source_listing.hpp"

#include <fstream>
#include <iomanip>
#include <stdexcept>

namespace gorewind::cli {

std::optional<std::vector<SourceLine>> source_lines(const std::string& path, std::uint32_t line) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  const std::uint32_t first = line > 5 ? line - 5 : 1;
  std::vector<SourceLine> lines;
  std::string text;
  for (std::uint32_t n = 1; n < line + 5 && std::getline(in, text); ++n)
    if (n >= first) lines.push_back({n, text});
  return lines;
}

void write_source_lines(std::ostream& out, const std::string& dir, const std::string& file, std::uint32_t line) {
  const auto lines = source_lines(dir + "/" + file, line);
  if (!lines) throw std::runtime_error("cannot read " + file + " in " + dir + " (debug --source DIR names the source tree)");
  for (const SourceLine& l : *lines)
    out << (l.number == line ? "=> " : "   ") << std::setw(4) << l.number << "\t" << l.text << "\n";
}

}  // namespace gorewind::cli
