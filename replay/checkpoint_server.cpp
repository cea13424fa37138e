#include <gorewind/replay/checkpoint_server.hpp>

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include <gorewind/replay/replay_error.hpp>
#include <gorewind/storage/state_codec.hpp>

#include "checkpoint_process.hpp"
#include "socket_messages.hpp"

namespace gorewind::replay {
namespace {

// The longest a re-execution may take to answer: from a checkpoint it runs
// at most one interval of events, so only a program that stopped replaying
// (a loop that no longer reaches the runtime) takes this long.
constexpr std::chrono::milliseconds kPatience{120'000};
constexpr std::uint64_t kMaxCheckpoints = 256;
constexpr std::uint64_t kMinInterval = 1000;

// parse_stack() reads "GID ADDR..." (the gid in decimal, the addresses in hex).
NativeStack parse_stack(std::istream& words) {
  NativeStack s;
  words >> s.gid >> std::hex;
  for (std::uintptr_t a; words >> a;) s.frames.push_back(a);
  return s;
}

std::vector<NativeStack> parse_stacks(std::istream& in) {
  std::vector<NativeStack> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string tag;
    words >> tag;
    out.push_back(parse_stack(words));
  }
  return out;
}

}  // namespace

// Live is an open run: the head's registration socket, the checkpoints by
// seq (their command sockets), and the server at query_seq, if any.
struct CheckpointServer::Live {
  int registration = -1;
  std::map<std::uint64_t, int> checkpoints;
  bool head_done = false;
  std::string head_error;
  int query = -1;
  std::uint64_t query_seq = 0;

  ~Live() {
    detail::close_fd(registration);
    detail::close_fd(query);
    for (auto& [seq, fd] : checkpoints) detail::close_fd(fd);
  }
};

CheckpointServer CheckpointServer::start() {
  const detail::FdPair control = detail::socket_pair(SOCK_SEQPACKET);
  const pid_t self = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw ReplayError(std::string("process state: cannot fork the fork server: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(control.a);
    detail::run_fork_server(control.b, self);
  }
  ::close(control.b);
  CheckpointServer s;
  s.control_ = control.a;
  s.fork_server_ = pid;
  return s;
}

CheckpointServer::CheckpointServer(CheckpointServer&& o) noexcept { *this = std::move(o); }

CheckpointServer& CheckpointServer::operator=(CheckpointServer&& o) noexcept {
  std::swap(control_, o.control_);
  std::swap(fork_server_, o.fork_server_);
  std::swap(run_, o.run_);
  std::swap(events_, o.events_);
  std::swap(last_live_, o.last_live_);
  std::swap(interval_, o.interval_);
  std::swap(live_, o.live_);
  return *this;
}

CheckpointServer::~CheckpointServer() {
  // Every process of the tree dies with its parent, down from the fork
  // server, which leaves when its control socket closes.
  live_.reset();
  detail::close_fd(control_);
  if (fork_server_ > 0) ::waitpid(fork_server_, nullptr, 0);
}

void CheckpointServer::open(const std::string& db, const storage::RunRow& run, void (*body)(), std::uint64_t interval) {
  live_.reset();
  run_ = run.id;
  events_ = run.events;
  // A run cut by the death of its program (a crash, a spin past the
  // timeout) ends with the supervisor's Crash event, which no program
  // emits: its re-execution stops at the event before, frozen there as
  // the last checkpoint, so the death does not take the tree with it.
  last_live_ = run.events > 0 && (run.outcome == "crash" || run.outcome == "timeout") ? run.events - 1 : run.events;
  interval_ = interval ? interval
                       : std::max(kMinInterval, (run.events + kMaxCheckpoints - 1) / kMaxCheckpoints);
  const detail::FdPair registration = detail::socket_pair(SOCK_SEQPACKET);
  const bool sent = detail::send_packet(control_,
                                        "open\n" + db + "\n" + std::to_string(run.id) + " " +
                                            std::to_string(interval_) + " " + std::to_string(last_live_) + " " +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(body)),
                                        registration.b);
  ::close(registration.b);
  if (!sent) {
    ::close(registration.a);
    throw ReplayError("process state: the fork server has gone");
  }
  live_ = std::make_unique<Live>();
  live_->registration = registration.a;
}

void CheckpointServer::drain_registrations(bool wait_for_one) {
  for (bool wait = wait_for_one && !live_->head_done;; wait = false) {
    int fd = -1;
    bool gone = false;
    const std::optional<std::string> m = detail::recv_packet(live_->registration, &fd, !wait, &gone);
    if (!m) {
      if (gone && !live_->head_done) {
        live_->head_done = true;
        live_->head_error = "process state: the re-execution died";
      }
      return;
    }
    std::istringstream in(*m);
    std::string tag;
    in >> tag;
    if (tag == "checkpoint" && fd >= 0) {
      std::uint64_t seq = 0;
      in >> seq;
      live_->checkpoints[seq] = fd;
      if (seq == last_live_) live_->head_done = true;
    } else if (tag == "ended") {
      std::uint64_t n = 0;
      in >> n;
      live_->head_done = true;
      live_->head_error = "process state: the re-execution ended after " + std::to_string(n) + " events; run " +
                          std::to_string(run_) + " has " + std::to_string(events_) +
                          ": the program no longer replays it";
    } else {
      live_->head_done = true;
      live_->head_error = "process state: " + m->substr(std::min(m->size(), tag.size() + 1));
      detail::close_fd(fd);
    }
  }
}

std::vector<std::uint64_t> CheckpointServer::checkpoints() {
  std::vector<std::uint64_t> out;
  if (!live_) return out;
  drain_registrations(false);
  for (const auto& [seq, fd] : live_->checkpoints) out.push_back(seq);
  return out;
}

ProcessState CheckpointServer::at(std::uint64_t seq) {
  if (!live_) throw ReplayError("process state: no run open");
  if (seq > events_)
    throw ReplayError("process state: run " + std::to_string(run_) + " has events 1 to " + std::to_string(events_));
  seq = std::min(seq, last_live_);
  if (seq == 0) return ProcessState{};
  Live& live = *live_;
  const auto nearest = [&] {
    auto it = live.checkpoints.upper_bound(seq);
    return it == live.checkpoints.begin() ? live.checkpoints.end() : std::prev(it);
  };
  // Wait for the head only as far as the checkpoint it will make at or
  // before seq.
  const std::uint64_t wanted = seq == last_live_ ? seq : std::max<std::uint64_t>(1, seq / interval_ * interval_);
  drain_registrations(false);
  while (!live.head_done && (nearest() == live.checkpoints.end() || nearest()->first < wanted))
    drain_registrations(true);

  for (;;) {
    auto cp = nearest();
    const bool forward = live.query >= 0 && live.query_seq <= seq &&
                         (cp == live.checkpoints.end() || seq - live.query_seq <= seq - cp->first);
    if (!forward) {
      if (cp == live.checkpoints.end())
        throw ReplayError(live.head_error.empty() ? "process state: no checkpoint at or before seq " +
                                                        std::to_string(seq)
                                                  : live.head_error);
      detail::close_fd(live.query);
      detail::FdPair query = detail::socket_pair(SOCK_STREAM);
      const bool sent = detail::send_packet(cp->second, "goto " + std::to_string(seq), query.b);
      ::close(query.b);
      if (!sent) {
        // That checkpoint died: the one before it will do.
        ::close(query.a);
        detail::close_fd(cp->second);
        live.checkpoints.erase(cp);
        continue;
      }
      live.query = query.a;
    } else if (live.query_seq < seq && !detail::write_frame(live.query, "forward " + std::to_string(seq))) {
      detail::close_fd(live.query);
      continue;
    }
    live.query_seq = seq;
    std::optional<std::string> head;
    if (detail::write_frame(live.query, "state")) head = detail::read_frame(live.query, kPatience);
    if (!head) {
      detail::close_fd(live.query);
      if (forward) continue;  // that server died: fork a new one
      throw ReplayError("process state: the re-execution died before seq " + std::to_string(seq));
    }
    std::istringstream in(*head);
    std::string tag;
    in >> tag;
    if (tag != "ok") {
      detail::close_fd(live.query);
      throw ReplayError("process state: " + head->substr(std::min(head->size(), tag.size() + 1)));
    }
    ProcessState p;
    std::string e;
    int kind = 0, obj_kind = 0;
    in >> p.seq >> e >> kind >> p.event.gid >> obj_kind >> p.event.obj >> p.event.peer >> p.event.vtime_ns;
    p.event.kind = static_cast<EventKind>(kind);
    p.event.obj_kind = static_cast<ObjKind>(obj_kind);
    in.ignore(1);
    p.stacks = parse_stacks(in);
    const std::optional<std::string> blob = detail::read_frame(live.query, kPatience);
    if (!blob) {
      detail::close_fd(live.query);
      throw ReplayError("process state: the re-execution died at seq " + std::to_string(seq));
    }
    p.state = storage::decode_state(*blob);
    return p;
  }
}

void CheckpointServer::park_stacks(std::uint64_t until,
                                   const std::function<void(std::uint64_t, const NativeStack&)>& each) {
  if (!live_) throw ReplayError("process state: no run open");
  until = std::min(until, last_live_);
  if (until <= 1) return;
  at(1);
  Live& live = *live_;
  if (!detail::write_frame(live.query, "parks " + std::to_string(until))) {
    detail::close_fd(live.query);
    throw ReplayError("process state: the re-execution died at seq 1");
  }
  for (;;) {
    const std::optional<std::string> frame = detail::read_frame(live.query, kPatience);
    std::istringstream in(frame.value_or(""));
    std::string tag;
    in >> tag;
    if (tag == "p") {
      std::uint64_t seq = 0;
      in >> seq;
      each(seq, parse_stack(in));
      continue;
    }
    if (tag == "ok") {
      live.query_seq = until;
      return;
    }
    detail::close_fd(live.query);
    if (tag == "error") throw ReplayError("process state: " + frame->substr(6));
    throw ReplayError("process state: the re-execution died before seq " + std::to_string(until));
  }
}

}  // namespace gorewind::replay
