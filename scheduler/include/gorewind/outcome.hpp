// outcome.hpp: how a run ended, as a value.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/race.hpp>
#include <gorewind/site.hpp>
#include <gorewind/wait_for_graph.hpp>

namespace gorewind {

// Outcome is the kind of ending.
enum class Outcome : std::uint8_t {
  Ok,           // main returned and no goroutine was left blocked forever
  Panic,        // gr::panic, a runtime panic, a C++ exception or a fatal error escaped a goroutine
  Deadlock,     // every goroutine was blocked and no timer was pending
  Leak,         // main returned while other goroutines were blocked forever
  CheckFailed,  // gr::check failed
  StepLimit,    // the run reached RunOptions::max_steps events (a livelock, or a budget too small)
  Timeout,      // the run outlived RunOptions::timeout (wall clock), or a goroutine ran away
  Race,         // two accesses of a gr::shared cell raced (see race.hpp)
  // The outcomes only a supervisor sees (record/child_process.hpp): the
  // program under test ran in a child process that died.
  Crash,        // a fatal signal of its own: SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT
  Killed,       // SIGKILL from outside or from the OOM killer
  Exited,       // the program called exit() (or _exit) itself
  Interrupted,  // SIGINT, SIGTERM or SIGHUP: the user stopped it
};

std::string_view to_string(Outcome o);
// parse_outcome() is the Outcome whose to_string() is text, if any.
std::optional<Outcome> parse_outcome(std::string_view text);

// Frame is one function of a native backtrace: a return address, or a
// function inlined into it.
struct Frame {
  std::uintptr_t address = 0;
  std::string function;  // demangled; "??" when unknown
  // file: as the build recorded it (gorewind's own build: relative to its
  // source tree), else relative to the current directory when inside it;
  // "" when unknown.
  std::string file;
  int line = 0;
  friend bool operator==(const Frame&, const Frame&) = default;
};

// Fault is how a supervised child process ended when it did not end the run
// itself (Outcome::Crash, Killed, Exited, Interrupted, and Timeout when the
// supervisor's wall clock ran out).
struct Fault {
  int signal = 0;                // the signal that ended it; 0: none
  int code = 0;                  // siginfo's si_code
  std::uintptr_t address = 0;    // the faulting address (SIGSEGV, SIGBUS, SIGFPE, SIGILL)
  std::uint64_t last_seq = 0;    // the last event the program made
  int exit_status = 0;           // Outcome::Exited: the status it passed to exit()
  std::uint64_t peak_rss_kb = 0; // Outcome::Killed: the child's peak resident memory
  // Outcome::Timeout: "spin" (no scheduling point since last_seq; pc is
  // where it was sampled) or "slow" (it still reached scheduling points).
  std::string timeout_kind;
  std::vector<Frame> backtrace;  // the running goroutine's frames, innermost first; empty: unknown
};

// BlockedGoroutine is one goroutine left waiting when a run deadlocked or leaked.
struct BlockedGoroutine {
  Gid id = 0;
  std::string name;
  WaitReason reason = WaitReason::None;
  std::string object;  // the channel, mutex or WaitGroup, by name
  Site site;           // where it blocked
};

// RunResult is everything a run reports about itself.
struct RunResult {
  Outcome outcome = Outcome::Ok;
  std::string message;        // the panic or check message; Go's wording for deadlocks
  Gid goroutine = 0;          // who failed (0 for deadlock and leak)
  std::string goroutine_name;
  Site site;                  // where it failed
  std::vector<BlockedGoroutine> blocked;  // deadlock and leak: every goroutine left waiting
  // races are the data races found, in the order found: the one that ended
  // the run, or with RaceMode::All every distinct pair (by the two sites and
  // kinds). Outcome::Race names the first: its later access's goroutine and
  // site, and its message().
  std::vector<DataRace> races;
  WaitForGraph wait_for;      // deadlock and leak: who waits for whom at the end
  std::uint64_t seed = 0;
  std::string strategy;
  std::uint64_t events = 0;   // number of events (the last seq)
  std::int64_t vtime_ns = 0;  // virtual time at the end
  std::uint64_t goroutines = 0;  // goroutines created, main included
  // abandoned is set when the runtime had to leave a goroutine where it stood
  // (a stack overflow, a runaway past RunOptions::timeout): its stack is
  // never reused, so a process that runs many programs is better replaced.
  bool abandoned = false;
  Fault fault;  // Crash, Killed, Exited, Interrupted, and a supervisor's Timeout
  // params_read are the parameter keys the program looked up (given or
  // not), so that a front end can tell a --param nobody read from a typo.
  std::set<std::string> params_read;

  bool ok() const { return outcome == Outcome::Ok; }
};

}  // namespace gorewind
