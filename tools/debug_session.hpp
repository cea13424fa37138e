// debug_session.hpp: the `gorewind debug` REPL, a thin front end over
// replay::Timeline: it reads gdb's and Delve's words, asks the Timeline,
// and prints the answers as `show` and `state` do. The time travel itself
// (positions, breakpoints, process state) is the Timeline's.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/record/symbolizer.hpp>
#include <gorewind/replay/timeline.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "event_line.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {

// DebugSession is one debugging session over one run: its commands, the
// goroutine and frame they look at, and the last line for Enter.
class DebugSession {
 public:
  // DebugSession() opens run's timeline where the Timeline opens: at the
  // failure of a failed run, before the first event of an ok one.
  DebugSession(storage::EventLogReader& log, const storage::RunRow& run);

  // use_processes() gives the session process state (bt, frames, finish):
  // states re-executes the run from body. Without it (null states), those
  // commands say why_not.
  void use_processes(replay::ProcessStates* states, void (*body)(), std::string why_not);
  // use_sources() says where list finds the files the log names (default:
  // the current directory).
  void use_sources(std::string dir) { sources_ = std::move(dir); }

  // write_banner() names the run and prints where the session starts.
  void write_banner(std::ostream& out);
  // execute() runs one command line (an empty one repeats the last); false
  // when it asks to quit. A mistyped command or argument is one line of
  // out, and the session goes on.
  bool execute(std::string_view line, std::ostream& out);

  std::uint64_t position() const { return timeline_.mark(); }

 private:
  void run_command(const std::string& cmd, const std::vector<std::string>& args, std::ostream& out);
  // report() prints where a move stopped and why; none says what was not
  // found when it ran to an end.
  void report(const replay::Stop& s, replay::Mark before, const std::vector<replay::Breakpoint>& had,
              const std::string& none, std::ostream& out);
  void write_current(std::ostream& out);
  void write_frame(std::ostream& out);
  void select_goroutine(const std::vector<std::string>& args, std::ostream& out);
  // write_threads() lists the Ms (OS threads) of a run on Go's scheduler
  // here, as Delve's threads does, the one running the current event's
  // goroutine starred.
  void write_threads(std::ostream& out);
  Gid focus(const std::string& cmd) const;

  storage::EventLogReader& log_;
  replay::Timeline timeline_;
  EventColumns columns_;
  ObjectNames names_;
  Gid focus_ = 0;          // the goroutine frame commands look at (0: none, before the first event)
  std::size_t frame_ = 0;  // its selected frame, 0 innermost
  std::string last_;       // the last command line, for Enter
  std::string sources_ = ".";
  void (*body_)() = nullptr;  // the run's program, to re-execute (use_processes())
  std::string why_not_;       // why there is none
  record::Symbolizer symbols_;
};

}  // namespace gorewind::cli
