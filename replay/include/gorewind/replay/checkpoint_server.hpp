// checkpoint_server.hpp: process state at any seq of a recorded run, by
// re-execution from forked checkpoints.
//
//   auto server = gr::replay::CheckpointServer::start();  // first, see below
//   gr::storage::EventLogReader log("gorewind.db");       // only then
//   server.open("gorewind.db", log.run(3), body);
//   gr::replay::ProcessState p = server.at(1234);         // stacks at seq 1234
//
// start() forks a fork server while the process has no database connection
// and no other thread (fork copies only the calling thread, and an SQLite
// connection must not cross a fork). open() has it fork a re-execution of
// the run under its recorded schedule that leaves a frozen fork of itself
// (a checkpoint) at seq 1, every `interval` events and at the last event.
// at(seq) asks the nearest checkpoint at or before seq for a fork that runs
// on to seq and answers there; moving forward reuses that fork when it is
// nearer. So any seq costs at most `interval` events of re-execution plus a
// fork, whatever the run's length. Every process of the tree dies with its
// parent and all of them with this object.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/replay/process_state.hpp>
#include <gorewind/storage/run_row.hpp>

namespace gorewind::replay {

class CheckpointServer {
 public:
  // start() forks the fork server. Call it before opening any database
  // connection or starting any thread. Throws ReplayError when it cannot.
  static CheckpointServer start();
  CheckpointServer(CheckpointServer&&) noexcept;
  CheckpointServer& operator=(CheckpointServer&&) noexcept;
  ~CheckpointServer();

  // open() starts re-executing run (a complete run of db, recorded from
  // body) with checkpoints every interval events (0: enough for at most 256
  // checkpoints, and at least every 1,000 events). The fork server is a copy
  // of this process, so body, code of this program, is valid there too.
  // The re-execution runs ahead on its own; at() waits for it only as far
  // as the checkpoint it needs. A second open() drops the first run's
  // processes.
  void open(const std::string& db, const storage::RunRow& run, void (*body)(), std::uint64_t interval = 0);
  // at() is the process state right after event seq (0: before the first
  // event, when nothing exists yet). For the last seq of a run cut by its
  // program's death (the supervisor's Crash event, which no program emits)
  // it is the state at the seq before, the program's last event: the
  // result's seq says so. Throws ReplayError when the program no longer
  // replays the run that far, or a process of the tree failed (a process
  // that dies is reported so; the next call forks a new one).
  ProcessState at(std::uint64_t seq);
  // park_stacks() calls each(seq, stack) for every park of the run after
  // seq 1 (main's spawn) up to seq until, in seq order, with the parking
  // goroutine's stack there: one pass of one re-execution, which is left
  // at until for at() to go on from. Throws ReplayError as at() does.
  void park_stacks(std::uint64_t until, const std::function<void(std::uint64_t, const NativeStack&)>& each);
  // checkpoints() are the seqs of the checkpoints made so far (one that
  // could not fork, out of processes, is missing: the one before serves).
  std::vector<std::uint64_t> checkpoints();
  std::uint64_t interval() const { return interval_; }

 private:
  CheckpointServer() = default;
  struct Live;  // the open run's sockets
  void drain_registrations(bool wait_for_more);

  int control_ = -1;  // to the fork server
  int fork_server_ = -1;  // its pid
  std::int64_t run_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t last_live_ = 0;  // the last seq the program itself emits
  std::uint64_t interval_ = 0;
  std::unique_ptr<Live> live_;
};

}  // namespace gorewind::replay
