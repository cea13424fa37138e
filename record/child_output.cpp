// child_output.cpp: see child_output.hpp.
#include <gorewind/record/child_output.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#ifdef GOREWIND_SANITIZE
#include <ucontext.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include <gorewind/error.hpp>

namespace gorewind::record {
namespace {

#ifdef GOREWIND_SANITIZE
// let_sanitizer_warn() makes one ucontext switch, on which AddressSanitizer
// prints, once per process, that it does not fully support them: on the
// parent's stderr, then, not into the program's output, where the first
// goroutine switch would put it.
void let_sanitizer_warn() {
  static ucontext_t here, there;
  alignas(16) static char stack[64 * 1024];
  getcontext(&there);
  there.uc_stack.ss_sp = stack;
  there.uc_stack.ss_size = sizeof stack;
  there.uc_link = &here;
  makecontext(&there, [] {}, 0);
  swapcontext(&here, &there);
}
#endif

// kPipeBytes is the room asked for each pipe: a child that prints a lot
// between two reads of the parent (which reads at least every 20 ms) does
// not stop for it.
constexpr int kPipeBytes = 1 << 20;
// kReadCap is the most read() takes of one stream in one call: as much as
// a pipe holds (kPipeBytes, or less where the system gives less).
constexpr std::size_t kReadCap = kPipeBytes;

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void make_pipe(int (&fds)[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw Error(std::string("cannot make a pipe for a child's output: ") + std::strerror(errno));
  fcntl(fds[1], F_SETPIPE_SZ, kPipeBytes);  // a smaller pipe works too, only slower
}

// drain() appends what fd holds now to out, up to kReadCap bytes.
void drain(int fd, std::string& out) {
  char buf[65536];
  while (out.size() < kReadCap) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;  // empty for now (EAGAIN), at its end, or failed: nothing more now
  }
}

// echo() writes bytes to fd; false when fd refuses them. A reader that went
// away (`gorewind record ... | head -1`) must not kill this process with
// SIGPIPE in the middle of a recording: the signal is held during the
// write, and one it raised is taken back.
bool echo(int fd, const std::string& bytes) {
  sigset_t pipe_signal, before;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &before);
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  if (!ok && errno == EPIPE && !sigismember(&before, SIGPIPE)) {
    const timespec now{0, 0};
    sigtimedwait(&pipe_signal, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return ok;
}

}  // namespace

ChildOutput::ChildOutput() {
  make_pipe(out_);
  try {
    make_pipe(err_);
  } catch (...) {
    close_fd(out_[0]);
    close_fd(out_[1]);
    throw;
  }
}

ChildOutput::~ChildOutput() {
  for (int* fd : {&out_[0], &out_[1], &err_[0], &err_[1]}) close_fd(*fd);
}

void ChildOutput::in_child() {
#ifdef GOREWIND_SANITIZE
  let_sanitizer_warn();
#endif
  // Anything stdio held was flushed before the fork; from now on each
  // printf goes straight into the pipe.
  dup2(out_[1], STDOUT_FILENO);
  dup2(err_[1], STDERR_FILENO);
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  for (int* fd : {&out_[0], &out_[1], &err_[0], &err_[1]}) close_fd(*fd);
}

void ChildOutput::in_parent() {
  close_fd(out_[1]);
  close_fd(err_[1]);
  for (int fd : {out_[0], err_[0]}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::vector<storage::OutputChunk> ChildOutput::read() {
  std::vector<storage::OutputChunk> chunks;
  const auto take = [&](int fd, storage::OutputStream stream, int echo_fd, bool& echoing) {
    std::string bytes;
    drain(fd, bytes);
    if (bytes.empty()) return;
    if (echoing) echoing = echo(echo_fd, bytes);
    chunks.push_back(storage::OutputChunk{0, stream, std::move(bytes)});
  };
  take(out_[0], storage::OutputStream::Stdout, STDOUT_FILENO, echo_out_);
  take(err_[0], storage::OutputStream::Stderr, STDERR_FILENO, echo_err_);
  return chunks;
}

}  // namespace gorewind::record
