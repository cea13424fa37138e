// socket_messages.hpp: the messages between a debugger and its forked
// re-executions (checkpoint_server.cpp): packets that may carry a file
// descriptor, over SOCK_SEQPACKET sockets, and frames of any length over
// SOCK_STREAM ones. Errors are ReplayErrors.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gorewind::replay::detail {

// FdPair is a connected pair of sockets of the given type.
struct FdPair {
  int a = -1;
  int b = -1;
};
FdPair socket_pair(int type);

// send_packet() sends text as one packet, with fd attached when >= 0.
// False when the peer has gone.
bool send_packet(int socket, std::string_view text, int fd = -1);
// recv_packet() receives one packet and the descriptor attached to it (-1:
// none); nullopt when the peer has gone. With nonblocking, nullopt also when
// no packet is waiting (then *gone stays false).
std::optional<std::string> recv_packet(int socket, int* fd = nullptr, bool nonblocking = false, bool* gone = nullptr);

// write_frame() writes a length-prefixed frame; false when the peer has gone.
bool write_frame(int socket, std::string_view bytes);
// read_frame() reads one frame; nullopt when the peer has gone. It waits at
// most `patience` for the frame to begin (ReplayError beyond it).
std::optional<std::string> read_frame(int socket, std::chrono::milliseconds patience);

// close_fd() closes fd when it is open and marks it closed.
void close_fd(int& fd);

}  // namespace gorewind::replay::detail
