#include "socket_messages.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <gorewind/replay/replay_error.hpp>

namespace gorewind::replay::detail {
namespace {

[[noreturn]] void fail(const char* what) {
  throw ReplayError(std::string("process state: ") + what + ": " + std::strerror(errno));
}

// write_all() writes every byte; false when the peer has gone.
bool write_all(int socket, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t k = ::send(socket, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && (errno == EPIPE || errno == ECONNRESET)) return false;
    if (k < 0) fail("send");
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

// read_all() reads exactly n bytes; false when the peer has gone first.
bool read_all(int socket, char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t k = ::recv(socket, p, n, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k == 0 || (k < 0 && errno == ECONNRESET)) return false;
    if (k < 0) fail("recv");
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

}  // namespace

FdPair socket_pair(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair");
  return {fds[0], fds[1]};
}

bool send_packet(int socket, std::string_view text, int fd) {
  msghdr msg{};
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  for (;;) {
    if (::sendmsg(socket, &msg, MSG_NOSIGNAL) >= 0) return true;
    if (errno == EINTR) continue;
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) return false;
    fail("sendmsg");
  }
}

std::optional<std::string> recv_packet(int socket, int* fd, bool nonblocking, bool* gone) {
  if (fd) *fd = -1;
  if (gone) *gone = false;
  std::string text(4096, '\0');
  msghdr msg{};
  iovec iov{text.data(), text.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  for (;;) {
    n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0));
    if (n >= 0 || errno != EINTR) break;
  }
  if (n < 0 && nonblocking && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
  if (n < 0 && errno != ECONNRESET) fail("recvmsg");
  if (n <= 0) {
    if (gone) *gone = true;
    return std::nullopt;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int got;
    std::memcpy(&got, CMSG_DATA(c), sizeof(int));
    if (fd) {
      *fd = got;
    } else {
      ::close(got);
    }
  }
  text.resize(static_cast<std::size_t>(n));
  return text;
}

bool write_frame(int socket, std::string_view bytes) {
  const std::uint64_t n = bytes.size();
  return write_all(socket, reinterpret_cast<const char*>(&n), sizeof n) && write_all(socket, bytes.data(), bytes.size());
}

std::optional<std::string> read_frame(int socket, std::chrono::milliseconds patience) {
  pollfd p{socket, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(patience.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) fail("poll");
  if (ready == 0)
    throw ReplayError("process state: the re-executed program gave no answer within " +
                      std::to_string(patience.count() / 1000) + " s");
  std::uint64_t n = 0;
  if (!read_all(socket, reinterpret_cast<char*>(&n), sizeof n)) return std::nullopt;
  std::string bytes(n, '\0');
  if (!read_all(socket, bytes.data(), n)) return std::nullopt;
  return bytes;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace gorewind::replay::detail
