#include "source_listing.hpp"

#include <fstream>
#include <iomanip>
#include <stdexcept>

namespace gorewind::cli {

void write_source_lines(std::ostream& out, const std::string& dir, const std::string& file, std::uint32_t line) {
  std::ifstream in(dir + "/" + file);
  if (!in) throw std::runtime_error("cannot read " + file + " in " + dir + " (debug --source DIR names the source tree)");
  const std::uint32_t first = line > 5 ? line - 5 : 1;
  std::string text;
  for (std::uint32_t n = 1; n < line + 5 && std::getline(in, text); ++n)
    if (n >= first) out << (n == line ? "=> " : "   ") << std::setw(4) << n << "\t" << text << "\n";
}

}  // namespace gorewind::cli
