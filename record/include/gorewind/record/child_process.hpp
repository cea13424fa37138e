// child_process.hpp: the one fork-and-supervise set-up. Every command that
// runs the program under test (run, record, explore's workers, replay,
// minimize) runs it in a ChildProcess, so that a segfault, an abort, a spin
// or an exit() in the program kills only the child, and the parent, which
// holds the database and the search, reports what happened.
//
//   record::ChildProcess child([&] { return run_and_report(); }, {.timeout = 10});
//   record::ChildEnd end = child.wait();  // how it ended
//
// The child dies with its parent (PR_SET_PDEATHSIG). For its whole life it
// has one alternate signal stack and one crash handler for SIGSEGV, SIGBUS,
// SIGFPE, SIGILL and SIGABRT, which stores the signal, the faulting address,
// the running goroutine and seq and the raw return addresses in memory the
// parent shares, then lets the default action end the process (not a
// handler from before the fork: a test framework's would report the death
// from inside the child). The runtime's own stack-overflow check
// (scheduler/watchdog.hpp) is installed per run, so it comes first and
// chains to this handler for any other fault. The parent symbolizes the
// addresses: fork without exec keeps the child's layout.
//
// With Config::capture_output, the child's stdout and stderr are pipes to
// the parent (ChildOutput), which a recording keeps with its run.
//
// Fork must happen before the process has a thread or a database
// connection: the caller's job.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <gorewind/outcome.hpp>
#include <gorewind/record/child_output.hpp>

namespace gorewind {
class TraceHasher;
}

namespace gorewind::record {

struct ChildRegion;

// ChildEnd is how a child ended.
struct ChildEnd {
  // outcome: Ok when the body returned (its value in code); Crash, Killed,
  // Exited, Interrupted or Timeout otherwise.
  Outcome outcome = Outcome::Ok;
  int code = 0;
  std::string message;  // Go's words for it, such as "signal SIGSEGV: segmentation violation code=0x1 addr=0x0"
  Gid gid = 0;          // the goroutine on the CPU when it died; 0: none or unknown
  std::string goroutine;
  Fault fault;
  std::uint64_t trace_hash = 0;  // the recording's digest at the death (see ChildProcess::keep_trace_hash)
  bool returned() const { return outcome == Outcome::Ok; }
};

class ChildProcess {
 public:
  struct Config {
    // timeout is the wall-clock budget in seconds of the child's current
    // work (restart_clock() starts it again); 0: none. Past it the child
    // is sampled twice, then killed: Outcome::Timeout, kind spin or slow.
    double timeout = 0;
    // uncounted_ns, when set, says how much of the child's time so far
    // does not count against the timeout: time blocked on a full ring
    // (waiting for the parent), or a replay's way to the seq past which
    // the timeout is a probe.
    std::function<std::uint64_t()> uncounted_ns;
    // capture_output: the child's stdout and stderr are pipes to this
    // process (see output()); otherwise the child shares this process's.
    bool capture_output = false;

    // timed() is a Config with a timeout and nothing else.
    static Config timed(double seconds) {
      Config c;
      c.timeout = seconds;
      return c;
    }
  };

  // ChildProcess() forks. The child installs its handlers, runs body and
  // _exit()s with its return value (after flushing stdout and stderr); an
  // exception escaping body is printed as one line and exits 2. Throws
  // Error when the fork fails.
  ChildProcess(const std::function<int()>& body, Config config);
  // ~ChildProcess() kills a child still running and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // end_fd() polls readable once the child has ended, for a caller that
  // waits on several things at once; -1 where the kernel has no pidfd.
  int end_fd() const { return pidfd_; }
  // output() is what the child prints, when Config::capture_output; null
  // otherwise. It outlives the child: read it after the end too.
  ChildOutput* output() { return output_.get(); }
  // poll() waits up to wait_ms for the child to end and returns how it
  // ended once it has; it also enforces the timeout.
  std::optional<ChildEnd> poll(int wait_ms);
  // wait() returns once the child has ended.
  ChildEnd wait();
  // restart_clock() starts the timeout again, from now.
  void restart_clock();
  // stop() kills the child (SIGKILL) and reaps it; its end is Killed unless
  // it had already ended otherwise.
  ChildEnd stop();

  // keep_trace_hash() is called in the child: the crash handler copies
  // hasher's digest into the shared region, so the parent can finish the
  // run's row with the digest of the events it got.
  static void keep_trace_hash(const TraceHasher* hasher);

 private:
  ChildEnd ended(int status, std::uint64_t peak_rss_kb);
  std::optional<ChildEnd> check_clock();

  ChildRegion* region_ = nullptr;
  std::unique_ptr<ChildOutput> output_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  Config config_;
  std::int64_t clock_start_ns_ = 0;
  std::uint64_t uncounted_at_start_ = 0;
  std::optional<ChildEnd> end_;
  std::optional<ChildEnd> timed_out_;  // set once the clock ran out and the child was killed for it
};

// fault_result() is the RunResult of a run whose child died under it: the
// outcome, message and goroutine, the fault, events = the last seq, and as
// site the innermost frame with a file.
RunResult fault_result(const ChildEnd& end);

// signal_name() is "SIGSEGV" for SIGSEGV; "signal N" for an unnamed one.
std::string signal_name(int sig);

}  // namespace gorewind::record
