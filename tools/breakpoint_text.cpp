#include "breakpoint_text.hpp"

#include <iomanip>
#include <sstream>

namespace gorewind::cli {
namespace {

std::string place_and_condition(const replay::Breakpoint& b) {
  return b.spec + (b.condition_text.empty() ? "" : (b.spec.empty() ? "if " : " if ") + b.condition_text);
}

}  // namespace

std::string breakpoint_label(const replay::Breakpoint& b) {
  return std::string(b.watchpoint ? "watchpoint " : b.temporary ? "temporary breakpoint " : "breakpoint ") +
         std::to_string(b.id) + ": " + place_and_condition(b);
}

void write_breakpoint_table(std::ostream& out, const std::vector<replay::Breakpoint>& breakpoints) {
  if (breakpoints.empty()) out << "no breakpoints\n";
  else out << "Num  Type        Disp  Enb  Hits  What\n";
  for (const replay::Breakpoint& b : breakpoints) {
    std::ostringstream row;
    row << std::left << std::setw(5) << b.id << std::setw(12) << (b.watchpoint ? "watchpoint" : "breakpoint")
        << std::setw(6) << (b.temporary ? "del" : "keep") << std::setw(5) << (b.enabled ? "y" : "n") << std::setw(6)
        << b.hits << place_and_condition(b);
    out << row.str() << "\n";
    if (b.ignore != 0) out << "\tignores its next " << b.ignore << " hits\n";
  }
}

}  // namespace gorewind::cli
