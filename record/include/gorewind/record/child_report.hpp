// child_report.hpp: text a child process hands its parent, of any length,
// without a pipe to drain while the child runs: an anonymous file
// (memfd_create) both share from the fork. The child writes; the parent
// reads once the child has ended. It carries what the child alone knows
// when the parent has the last word, such as the full report of a run that
// only the child holds, which the parent completes with the run's id.
//
//   record::ChildReport report;                  // before the fork
//   ... in the child: report.write(text);
//   ... in the parent, after the child's end: std::string text = report.read();
#pragma once

#include <string>
#include <string_view>

namespace gorewind::record {

class ChildReport {
 public:
  // ChildReport() creates the empty file. Throws Error when it cannot.
  ChildReport();
  ~ChildReport();
  ChildReport(const ChildReport&) = delete;
  ChildReport& operator=(const ChildReport&) = delete;

  // write() replaces the text with text (the child's side). Throws Error
  // when the file cannot take it.
  void write(std::string_view text);
  // read() is the text written; empty when the child wrote none (it died
  // first, or had nothing to say). The parent's side, once the child has
  // ended. Throws Error when the file cannot be read.
  std::string read() const;

 private:
  int fd_;
};

}  // namespace gorewind::record
