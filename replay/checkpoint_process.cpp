#include "checkpoint_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <exception>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gorewind/native_stack.hpp>
#include <gorewind/observer.hpp>
#include <gorewind/run.hpp>
#include <gorewind/schedule_script.hpp>
#include <gorewind/state.hpp>
#include <gorewind/replay/replay_run.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/state_codec.hpp>

#include "socket_messages.hpp"

namespace gorewind::replay::detail {
namespace {

// die_with_parent() ends this process when its parent (by pid) ends, also
// when that happened before the call.
void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(0);
}

// OpenRequest is what the debugger asked the fork server to re-execute.
struct OpenRequest {
  std::string db;
  std::int64_t run = 0;
  std::uint64_t interval = 1;
  std::uint64_t until = 0;
  void (*body)() = nullptr;  // an address of this program: the debugger is the same image
};

OpenRequest parse_open(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  OpenRequest r;
  std::getline(in, word);
  std::getline(in, r.db);
  std::uintptr_t body = 0;
  in >> r.run >> r.interval >> r.until >> body;
  r.body = reinterpret_cast<void (*)()>(body);
  if (r.interval == 0) r.interval = 1;
  return r;
}

// stack_line() is "GID ADDR..." (the gid in decimal, the addresses in hex).
std::string stack_line(const NativeStack& s) {
  std::ostringstream out;
  out << s.gid << std::hex;
  for (std::uintptr_t a : s.frames) out << ' ' << a;
  return out.str();
}

// stack_lines() is the "g GID ADDR..." part of a state answer.
std::string stack_lines(const std::vector<NativeStack>& stacks) {
  std::string out;
  for (const NativeStack& s : stacks) out += "g " + stack_line(s) + "\n";
  return out;
}

// Checkpointer is the observer of every process of the tree. As the head it
// freezes a fork of the run at each checkpoint seq; as a server it runs on
// to its target seq and answers there.
class Checkpointer final : public Observer {
 public:
  Checkpointer(int registration, std::uint64_t interval, std::uint64_t until)
      : registration_(registration), interval_(interval), until_(until) {}

  void on_event(const Event& e) override {
    if (serving_) {
      if (collecting_parks_ && e.kind == EventKind::Park &&
          !write_frame(query_, "p " + std::to_string(e.seq) + " " + stack_line(native_stack(e.gid))))
        ::_exit(0);
      if (e.seq == target_) {
        if (collecting_parks_ && !write_frame(query_, "ok " + std::to_string(e.seq))) ::_exit(0);
        collecting_parks_ = false;
        serve(e);
      }
      return;
    }
    if (e.seq == until_) {
      freeze(e);  // the head's last checkpoint is the head itself
    } else if (e.seq == 1 || e.seq % interval_ == 0) {
      fork_checkpoint(e);
    }
  }

  void on_run_end(const RunResult& r) override {
    if (!serving_) return;
    // Asked for a seq the re-execution never reached: the answer to the
    // request that comes next, or to the parks on their way.
    if (collecting_parks_ || read_frame(query_, std::chrono::milliseconds(-1)))
      write_frame(query_, "error the re-execution ended after " + std::to_string(r.events) +
                              " events, before seq " + std::to_string(target_) +
                              ": the program no longer replays this run");
    ::_exit(0);
  }

 private:
  // fork_checkpoint() leaves a frozen copy of the run here, a child of the
  // head, which goes on: every checkpoint a child of one process, since
  // each generation of a fork chain makes the next fork and page fault
  // slower (Linux chains their anon_vmas: at checkpoint 127 of a chain a
  // fork took 9 ms, in a fan 1 ms). The checkpoint is registered before
  // the fork, so the debugger learns of checkpoints in seq order; without a
  // fork (out of processes) the registered socket closes with the head's
  // copy and the debugger drops it.
  void fork_checkpoint(const Event& e) {
    int commands = register_checkpoint(e.seq);
    const pid_t self = ::getpid();
    if (::fork() == 0) {
      die_with_parent(self);
      close_fd(registration_);
      serve_checkpoint(commands, e);  // returns only in a server
      return;
    }
    close_fd(commands);
  }

  // freeze() makes this process the checkpoint at e.
  void freeze(const Event& e) {
    const int commands = register_checkpoint(e.seq);
    close_fd(registration_);
    serve_checkpoint(commands, e);
  }

  // register_checkpoint() tells the debugger of a checkpoint at seq and
  // returns the socket its requests will come on.
  int register_checkpoint(std::uint64_t seq) {
    FdPair commands = socket_pair(SOCK_SEQPACKET);
    const bool sent = send_packet(registration_, "checkpoint " + std::to_string(seq), commands.b);
    close_fd(commands.b);
    if (!sent) ::_exit(0);  // the debugger has gone
    return commands.a;
  }

  // serve_checkpoint() serves "goto" requests until the debugger drops
  // the checkpoint. It returns only in a server forked for a request, which
  // then runs on from here.
  void serve_checkpoint(int commands, const Event& e) {
    const std::uint64_t seq = e.seq;
    for (;;) {
      int query = -1;
      const std::optional<std::string> request = recv_packet(commands, &query);
      if (!request || query < 0) ::_exit(0);
      const std::uint64_t target = std::stoull(request->substr(request->find(' ') + 1));
      const pid_t self = ::getpid();
      const pid_t pid = ::fork();
      if (pid == 0) {
        die_with_parent(self);
        close_fd(commands);
        serving_ = true;
        query_ = query;
        target_ = target;
        if (target == seq) serve(e);
        return;
      }
      if (pid < 0) write_frame(query, "error cannot fork a re-execution from the checkpoint at seq " +
                                          std::to_string(seq) + ": out of processes or memory");
      close_fd(query);
    }
  }

  // serve() answers the debugger at seq until it moves this process on
  // ("forward") or lets it go.
  void serve(const Event& e) {
    const std::uint64_t seq = e.seq;
    for (;;) {
      const std::optional<std::string> request = read_frame(query_, std::chrono::milliseconds(-1));
      if (!request) ::_exit(0);
      const bool parks = request->rfind("parks ", 0) == 0;
      if (parks || request->rfind("forward ", 0) == 0) {
        const std::uint64_t target = std::stoull(request->substr(request->find(' ') + 1));
        if (target > seq) {
          target_ = target;
          collecting_parks_ = parks;
          return;
        }
        if (parks && !write_frame(query_, "ok " + std::to_string(seq))) ::_exit(0);
        continue;
      }
      const std::string stacks = stack_lines(native_stacks());
      std::ostringstream head;
      head << "ok " << seq << "\ne " << static_cast<int>(e.kind) << ' ' << e.gid << ' '
           << static_cast<int>(e.obj_kind) << ' ' << e.obj << ' ' << e.peer << ' ' << e.vtime_ns << '\n';
      if (!write_frame(query_, head.str() + stacks) ||
          !write_frame(query_, storage::encode_state(capture_state())))
        ::_exit(0);
    }
  }

  int registration_;
  std::uint64_t interval_;
  std::uint64_t until_;
  bool serving_ = false;
  bool collecting_parks_ = false;  // a "parks" request is on its way to target_
  int query_ = -1;
  std::uint64_t target_ = 0;
};

// run_head() re-executes the requested run as the head of its checkpoints.
[[noreturn]] void run_head(const OpenRequest& request, int registration) {
  try {
    storage::RunRow row;
    std::vector<Choice> schedule;
    {
      // Closed before the run: no connection may cross the forks to come.
      storage::EventLogReader log(request.db);
      row = log.run(request.run);
      std::optional<std::vector<Choice>> s = log.schedule(request.run);
      if (!s) throw std::runtime_error("run " + std::to_string(request.run) + " has no recorded schedule");
      schedule = std::move(*s);
    }
    Checkpointer checkpointer(registration, request.interval, request.until);
    RunOptions options = replay_options(row, std::make_shared<ScriptedStrategy>(std::move(schedule)), false);
    options.observers.push_back(&checkpointer);
    const RunResult r = run(request.body, options);
    // Ended before the recording did: the program no longer replays the
    // run. The checkpoints, its children, live while it does, so it waits
    // for the debugger to drop the run.
    send_packet(registration, "ended " + std::to_string(r.events));
    recv_packet(registration);
  } catch (const std::exception& e) {
    send_packet(registration, std::string("error ") + e.what());
  }
  ::_exit(0);
}

}  // namespace

void run_fork_server(int control, pid_t parent) {
  die_with_parent(parent);
  // Terminal signals are the debugger's; what the program prints is not
  // the debugger's output; children are never waited for.
  ::setpgid(0, 0);
  ::signal(SIGCHLD, SIG_IGN);
  const int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
  if (null > 2) ::close(null);
  const pid_t self = ::getpid();
  for (;;) {
    int registration = -1;
    const std::optional<std::string> request = recv_packet(control, &registration);
    if (!request) ::_exit(0);
    if (registration < 0) continue;
    if (::fork() == 0) {
      die_with_parent(self);
      close_fd(control);
      run_head(parse_open(*request), registration);
    }
    close_fd(registration);
  }
}

}  // namespace gorewind::replay::detail
