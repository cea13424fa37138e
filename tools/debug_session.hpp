// debug_session.hpp: the time-travel REPL of `gorewind debug` over a
// recorded run. A position is a seq (0: before the first event); every move
// is a seek in the log and every log state is rebuilt from the nearest
// snapshot, so moving back costs what moving forward does. Process state
// (`bt`: each goroutine's native frames) comes from re-executing the run to
// the position from the nearest forked checkpoint, only when asked for.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "event_line.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {

class DebugSession {
 public:
  // DebugSession() starts at the run's last event when it did not end ok
  // (so `back` walks to the causes), otherwise before its first event.
  DebugSession(storage::EventLogReader& log, storage::RunRow run);

  // use_processes() gives the session process state: server re-executes
  // the run of db from body (opened at the first `bt`). Without it (null
  // server), `bt` says why_not.
  void use_processes(replay::CheckpointServer* server, std::string db, void (*body)(), std::string why_not);

  // write_banner() names the run and prints where the session starts.
  void write_banner(std::ostream& out);
  // execute() runs one command line; false when the line asks to quit. A
  // mistyped command or argument is one line of out, and the session goes on.
  bool execute(std::string_view line, std::ostream& out);

  std::uint64_t position() const { return pos_; }

 private:
  // Breakpoint is what `break` was given and the query of the events it
  // stops at (its seq range is set at each use).
  struct Breakpoint {
    int number;
    std::string spec;
    storage::EventQuery query;
  };

  void run_command(const std::string& cmd, const std::vector<std::string>& args, std::ostream& out);
  void move_by(std::int64_t delta, std::ostream& out);
  void resume(bool forward, std::ostream& out);
  void add_breakpoint(const std::vector<std::string>& args, std::ostream& out);
  // breakpoint_query() is the query a SPEC of `break` selects.
  storage::EventQuery breakpoint_query(const std::vector<std::string>& args);
  void write_current(std::ostream& out);
  void write_where(std::ostream& out);
  // released_before() is the seq of the unlock a Lock or RLock event came
  // after (0: none, or not a lock).
  std::uint64_t released_before(const storage::StoredEvent& e);
  void write_events(std::uint64_t n, std::ostream& out);
  void write_backtraces(const std::vector<std::string>& args, std::ostream& out);
  void write_watched(const std::vector<std::string>& args, std::ostream& out);
  // event_at() reads event seq (1 ... run's events) from the log.
  storage::StoredEvent event_at(std::uint64_t seq);

  storage::EventLogReader& log_;
  storage::RunRow run_;
  EventColumns columns_;
  ObjectNames names_;
  std::uint64_t pos_ = 0;
  std::vector<Breakpoint> breakpoints_;
  int next_breakpoint_ = 1;
  replay::CheckpointServer* processes_ = nullptr;
  std::string db_;
  void (*body_)() = nullptr;
  std::string no_processes_ = "this session has no process state";  // why there is none
  bool opened_ = false;
  record::Symbolizer symbols_;
};

}  // namespace gorewind::cli
