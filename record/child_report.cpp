// child_report.cpp: see child_report.hpp.
#include <gorewind/record/child_report.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <gorewind/error.hpp>

namespace gorewind::record {
namespace {

[[noreturn]] void fail(const char* what) {
  throw Error(std::string("child report: cannot ") + what + ": " + std::strerror(errno));
}

}  // namespace

ChildReport::ChildReport() : fd_(memfd_create("gorewind-child-report", MFD_CLOEXEC)) {
  if (fd_ < 0) fail("create its file");
}

ChildReport::~ChildReport() { close(fd_); }

void ChildReport::write(std::string_view text) {
  // pwrite and pread keep no offset: the file description is shared with
  // the other process.
  if (ftruncate(fd_, 0) != 0) fail("empty its file");
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
}

std::string ChildReport::read() const {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = pread(fd_, buf, sizeof buf, static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read");
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace gorewind::record
