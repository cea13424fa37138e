// checkpoint_process.hpp: the forked side of CheckpointServer
// (checkpoint_server.hpp). The fork server forks one re-execution per opened
// run; that re-execution (the head) forks itself at every checkpoint seq and
// leaves the child frozen there; a frozen checkpoint forks, on request, a
// server that runs on to the asked seq and answers there.
//
// Sockets: the debugger and the fork server share a SOCK_SEQPACKET control
// socket ("open" requests, each with the run's registration socket
// attached); the head sends "checkpoint SEQ" with the checkpoint's own
// command socket attached, "ended N" or "error TEXT" on the registration
// socket; a checkpoint gets "goto SEQ" with the new server's query socket
// (SOCK_STREAM) attached; a server gets "state" or "forward SEQ" frames and
// answers "state" with two frames: "ok SEQ" and a stack line per goroutine
// ("g GID ADDR..." in hex), then the encoded RuntimeState; or one "error
// TEXT" frame. "parks SEQ" runs a server on to SEQ, sending a frame "p
// PARK GID ADDR..." at each park on the way, the parking goroutine's stack,
// then "ok SEQ" there.
#pragma once

#include <sys/types.h>

namespace gorewind::replay::detail {

// run_fork_server() is the fork server's life, on control; it ends the
// process when the debugger (parent, by pid) goes.
[[noreturn]] void run_fork_server(int control, pid_t parent);

}  // namespace gorewind::replay::detail
