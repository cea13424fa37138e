// child_process.cpp: see child_process.hpp.
#include <gorewind/record/child_process.hpp>

#include <execinfo.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include <gorewind/detail/runaway.hpp>
#include <gorewind/error.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/run_position.hpp>
#include <gorewind/trace_hasher.hpp>

#ifdef GOREWIND_SANITIZE
#include <sanitizer/asan_interface.h>

// AddressSanitizer keeps SIGSEGV, SIGBUS and SIGFPE to itself unless told
// otherwise: the child's crash handler must get them. ASAN_OPTIONS still
// overrides this.
extern "C" const char* __asan_default_options() { return "allow_user_segv_handler=1"; }
#endif

namespace gorewind::record {

namespace {

constexpr int kMaxFrames = 64;
constexpr std::size_t kNameSize = 64;
constexpr std::size_t kReportSize = 512;

// Sample is what a handler saw: the run's position and the raw return
// addresses of the code it interrupted, innermost first. The first address
// is the interrupted instruction itself plus one, so that the symbolizer,
// which looks one byte back from a return address, finds its line.
struct Sample {
  std::uint64_t seq;
  Gid gid;
  char name[kNameSize];
  int frames;
  std::uintptr_t pcs[kMaxFrames];
};

}  // namespace

// ChildRegion is the memory the child shares with its parent: written by the
// child's handlers (plain stores, then a release of the flag), read by the
// parent once the child has died or answered a sample.
struct ChildRegion {
  std::atomic<int> crashed;  // the crash handler ran
  int signal;
  int code;
  std::uintptr_t address;
  Sample crash;
  std::atomic<int> returned;  // the body returned: the child exits on its own terms
  std::atomic<std::uint32_t> samples;  // samples taken (SIGUSR2)
  Sample sample;
  std::uint64_t trace_hash;
  std::atomic<int> sanitizer;  // a sanitizer reported an error: report holds its summary
  char report[kReportSize];
};

namespace {

// The crash handler's world, set once in the child before anything else runs.
ChildRegion* g_region = nullptr;
const TraceHasher* g_trace_hash = nullptr;
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int kSampleSignal = SIGUSR2;
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

constexpr std::size_t kAltStackSize = 64 * 1024;
alignas(16) char g_altstack[kAltStackSize];

// take() fills s from a handler: async-signal-safe (backtrace() was called
// once before, so it loads nothing now). uc is the interrupted context; null
// when called from code, not a signal: the caller's own frame comes first.
void take(Sample& s, void* uc) {
  const RunPosition p = run_position();
  s.seq = p.seq;
  s.gid = p.gid;
  const std::size_t n = std::min(p.name_size, kNameSize - 1);
  for (std::size_t i = 0; i < n; ++i) s.name[i] = p.name[i];
  s.name[n] = '\0';
  void* raw[kMaxFrames];
  const int got = backtrace(raw, kMaxFrames);
  if (uc == nullptr) {
    s.frames = 0;
    for (int i = 1; i < got; ++i) s.pcs[s.frames++] = reinterpret_cast<std::uintptr_t>(raw[i]);
    return;
  }
  // The handler's own frames and the signal trampoline come first: the
  // interrupted code starts at its instruction pointer.
  const std::uintptr_t pc = detail::context_pc(uc);
  int from = 0;
  while (from < got && reinterpret_cast<std::uintptr_t>(raw[from]) != pc) ++from;
  int out = 0;
  s.pcs[out++] = pc + 1;
  for (int i = from < got ? from + 1 : std::min(2, got); i < got && out < kMaxFrames; ++i)
    s.pcs[out++] = reinterpret_cast<std::uintptr_t>(raw[i]);
  s.frames = out;
}

void on_fatal(int sig, siginfo_t* si, void* uc) {
  ChildRegion& r = *g_region;
  if (r.crashed.load(std::memory_order_relaxed) == 0) {
    r.signal = sig;
    r.code = si ? si->si_code : 0;
    r.address = si ? reinterpret_cast<std::uintptr_t>(si->si_addr) : 0;
    if (g_trace_hash && !g_trace_hash->busy()) r.trace_hash = g_trace_hash->hash();
    take(r.crash, uc);
    r.crashed.store(1, std::memory_order_release);
  }
  // Then the default action ends the process: a fault comes back on
  // return, a signal sent (abort's raise) is sent again. Not the handler
  // from before the fork: a test framework's would report the death from
  // inside the child as if it were its own.
  signal(sig, SIG_DFL);
  if (si == nullptr || si->si_code <= 0) raise(sig);
}

void on_sample(int, siginfo_t*, void* uc) {
  const int saved_errno = errno;
  ChildRegion& r = *g_region;
  take(r.sample, uc);
  if (g_trace_hash && !g_trace_hash->busy()) r.trace_hash = g_trace_hash->hash();
  r.samples.fetch_add(1, std::memory_order_release);
  errno = saved_errno;
}

#ifdef GOREWIND_SANITIZE
// on_sanitizer_report() keeps what AddressSanitizer found, before it ends
// the process (by exit or abort): the kind of error and the access, without
// the process id and the addresses, which differ from run to run.
void on_sanitizer_report(const char* report) {
  ChildRegion& r = *g_region;
  if (r.sanitizer.load(std::memory_order_relaxed) != 0) return;
  // No allocation here: the sanitizer's allocator is in the middle of its report.
  std::size_t n = 0;
  const auto append = [&](std::string_view part) {
    const std::size_t k = std::min(part.size(), kReportSize - 1 - n);
    std::memcpy(r.report + n, part.data(), k);
    n += k;
  };
  const auto cut = [](std::string_view line, std::string_view before) {
    return line.substr(0, std::min(line.find('\n'), line.find(before)));
  };
  const std::string_view text(report);
  const std::size_t kind = text.find("AddressSanitizer:");
  if (kind == std::string_view::npos) {
    append(cut(text, "\n"));
  } else {
    const std::string_view first = text.substr(kind);
    append(cut(cut(first, " on address"), " on unknown address"));
    const std::size_t next = first.find('\n');
    const std::string_view access = next == std::string_view::npos ? "" : cut(first.substr(next + 1), " at 0x");
    if (!access.empty()) {
      append("; ");
      append(access);
    }
  }
  r.report[n] = '\0';
  if (g_trace_hash && !g_trace_hash->busy()) r.trace_hash = g_trace_hash->hash();
  take(r.crash, nullptr);
  r.sanitizer.store(1, std::memory_order_release);
}
#endif

// become_child() sets up the child: death with the parent, the alternate
// stack and the handlers.
void become_child(pid_t parent, ChildRegion* region) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(3);  // the parent died before the call
  g_region = region;
  void* warm[4];
  backtrace(warm, 4);  // loads the unwinder now, not in a handler
  stack_t ss{};
  ss.ss_sp = g_altstack;
  ss.ss_size = kAltStackSize;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : kFatalSignals) sigaction(sig, &sa, nullptr);
  // A stop signal ends the program under test, whatever the parent (or a
  // test framework in it) does with its own.
  for (int sig : kStopSignals) signal(sig, SIG_DFL);
  struct sigaction sample {};
  sample.sa_sigaction = on_sample;
  sample.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&sample.sa_mask);
  sigaction(kSampleSignal, &sample, nullptr);
#ifdef GOREWIND_SANITIZE
  __asan_set_error_report_callback(on_sanitizer_report);
#endif
}

std::string hex(std::uintptr_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// What Go's runtime calls each fatal signal.
std::string_view signal_words(int sig) {
  switch (sig) {
    case SIGSEGV: return "segmentation violation";
    case SIGBUS: return "bus error";
    case SIGFPE: return "floating-point exception";
    case SIGILL: return "illegal instruction";
    case SIGABRT: return "abort";
    case SIGTRAP: return "trace trap";
    default: return "";
  }
}

bool is_fatal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGTRAP ||
         sig == SIGSYS;
}

std::vector<Frame> symbolized(const Sample& s) {
  // Every child of this process has its layout (fork without exec), so one
  // Symbolizer's answers hold for all of them: minimize's attempts and
  // explore's workers ask addr2line once per address.
  static Symbolizer symbols;
  NativeStack stack{s.gid, std::vector<std::uintptr_t>(s.pcs, s.pcs + std::max(0, s.frames))};
  std::vector<Frame> frames = symbols.user_frames(stack);
  // The first address stands for the interrupted instruction itself.
  for (Frame& f : frames)
    if (!stack.frames.empty() && f.address == stack.frames.front()) f.address -= 1;
  return frames;
}

}  // namespace

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig);
}

RunResult fault_result(const ChildEnd& end) {
  RunResult r;
  r.outcome = end.outcome;
  r.message = end.message;
  r.goroutine = end.gid;
  r.goroutine_name = end.goroutine;
  r.fault = end.fault;
  r.events = end.fault.last_seq;
  for (const Frame& f : end.fault.backtrace) {
    if (f.file.empty()) continue;
    r.site = Site{f.file, static_cast<std::uint32_t>(f.line), f.function};
    break;
  }
  return r;
}

void ChildProcess::keep_trace_hash(const TraceHasher* hasher) { g_trace_hash = hasher; }

ChildProcess::ChildProcess(const std::function<int()>& body, Config config) : config_(std::move(config)) {
  void* mem = mmap(nullptr, sizeof(ChildRegion), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw Error(std::string("cannot map memory for a child process: ") + std::strerror(errno));
  region_ = new (mem) ChildRegion{};
  if (config_.capture_output) {
    try {
      output_ = std::make_unique<ChildOutput>();
    } catch (...) {
      munmap(mem, sizeof(ChildRegion));
      throw;
    }
  }
  // What is buffered now would otherwise be printed twice, once by each.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = getpid();
  // Until the child has its own handlers for the stop signals, one that
  // arrives must wait: the parent's would run in the child.
  sigset_t stops, before;
  sigemptyset(&stops);
  for (int sig : kStopSignals) sigaddset(&stops, sig);
  sigprocmask(SIG_BLOCK, &stops, &before);
  pid_ = fork();
  if (pid_ != 0) sigprocmask(SIG_SETMASK, &before, nullptr);
  if (pid_ < 0) {
    munmap(mem, sizeof(ChildRegion));
    throw Error(std::string("cannot fork a child process: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    become_child(parent, region_);
    if (output_) output_->in_child();
    sigprocmask(SIG_SETMASK, &before, nullptr);
    int code = 2;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
    } catch (...) {
      std::cerr << "error: an unknown exception escaped\n";
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    region_->returned.store(1, std::memory_order_release);
    _exit(code);
  }
  if (output_) output_->in_parent();
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  restart_clock();
}

ChildProcess::~ChildProcess() {
  if (!end_ && pid_ > 0) stop();
  if (pidfd_ >= 0) close(pidfd_);
  if (region_) munmap(region_, sizeof(ChildRegion));
}

void ChildProcess::restart_clock() {
  clock_start_ns_ = detail::monotonic_ns();
  uncounted_at_start_ = config_.uncounted_ns ? config_.uncounted_ns() : 0;
}

ChildEnd ChildProcess::ended(int status, std::uint64_t peak_rss_kb) {
  if (timed_out_) return *timed_out_;
  ChildEnd end;
  const ChildRegion& r = *region_;
  if (r.sanitizer.load(std::memory_order_acquire) != 0) {
    // The report comes first: the abort that may follow it is its doing.
    end.outcome = Outcome::Crash;
    end.fault.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    end.fault.last_seq = r.crash.seq;
    end.fault.backtrace = symbolized(r.crash);
    end.gid = r.crash.gid;
    end.goroutine = r.crash.name;
    end.trace_hash = r.trace_hash;
    end.message = r.report;
    return end;
  }
  if (r.crashed.load(std::memory_order_acquire) != 0) {
    end.outcome = Outcome::Crash;
    end.fault.signal = r.signal;
    end.fault.code = r.code;
    end.fault.address = r.address;
    end.fault.last_seq = r.crash.seq;
    end.fault.backtrace = symbolized(r.crash);
    end.gid = r.crash.gid;
    end.goroutine = r.crash.name;
    end.trace_hash = r.trace_hash;
    end.message = "signal " + signal_name(r.signal) + ": " + std::string(signal_words(r.signal));
    if (r.signal != SIGABRT) end.message += " code=" + hex(static_cast<std::uintptr_t>(r.code)) + " addr=" + hex(r.address);
    return end;
  }
  if (WIFEXITED(status)) {
    end.code = WEXITSTATUS(status);
    if (r.returned.load(std::memory_order_acquire) != 0) return end;
    end.outcome = Outcome::Exited;
    end.fault.exit_status = end.code;
    end.message = "the program called exit(" + std::to_string(end.code) + ")";
    return end;
  }
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  end.fault.signal = sig;
  if (is_fatal(sig)) {
    end.outcome = Outcome::Crash;
    end.message = "signal " + signal_name(sig) + ": " + std::string(signal_words(sig));
  } else if (sig == SIGKILL) {
    end.outcome = Outcome::Killed;
    end.fault.peak_rss_kb = peak_rss_kb;
    end.message = "killed by SIGKILL (from outside, or the out-of-memory killer); peak RSS " +
                  std::to_string(peak_rss_kb) + " kB";
  } else {
    end.outcome = Outcome::Interrupted;
    end.message = "interrupted by " + signal_name(sig);
  }
  return end;
}

std::optional<ChildEnd> ChildProcess::poll(int wait_ms) {
  if (end_) return end_;
  for (;;) {
    int status = 0;
    rusage usage{};
    const pid_t got = wait4(pid_, &status, WNOHANG, &usage);
    if (got == pid_) {
      end_ = ended(status, static_cast<std::uint64_t>(usage.ru_maxrss));
      return end_;
    }
    if (got < 0 && errno != EINTR) {
      end_ = ChildEnd{Outcome::Killed, 0, "the child process vanished", 0, "", {}, 0};
      return end_;
    }
    if (std::optional<ChildEnd> e = check_clock()) return e;
    if (wait_ms <= 0) return std::nullopt;
    // Wake when the child ends, or in time for the clock.
    int slice = wait_ms;
    if (config_.timeout > 0) slice = std::min(slice, 50);
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, slice);
    } else {
      usleep(static_cast<useconds_t>(std::min(slice, 10)) * 1000);
    }
    wait_ms -= slice;
  }
}

ChildEnd ChildProcess::wait() {
  for (;;)
    if (std::optional<ChildEnd> e = poll(1000)) return *e;
}

ChildEnd ChildProcess::stop() {
  if (end_) return *end_;
  kill(pid_, SIGKILL);
  int status = 0;
  rusage usage{};
  while (wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  end_ = ended(status, static_cast<std::uint64_t>(usage.ru_maxrss));
  return *end_;
}

std::optional<ChildEnd> ChildProcess::check_clock() {
  if (config_.timeout <= 0) return std::nullopt;
  auto uncounted = [&] { return config_.uncounted_ns ? config_.uncounted_ns() : 0; };
  const std::int64_t uncounted_since = static_cast<std::int64_t>(uncounted() - uncounted_at_start_);
  const double elapsed = static_cast<double>(detail::monotonic_ns() - clock_start_ns_ - uncounted_since) / 1e9;
  if (elapsed < config_.timeout) return std::nullopt;
  // Out of time. Two samples a probe apart tell a spin (no scheduling point
  // in between, and not waiting for the parent) from a run that is merely
  // slow. The caller goes on draining the ring meanwhile only if it polls
  // with short waits; a probe is short: min(timeout, 1 s) / 4.
  const auto take_sample = [&](Sample& out) {
    const std::uint32_t before = region_->samples.load(std::memory_order_acquire);
    kill(pid_, kSampleSignal);
    for (int i = 0; i < 500 && region_->samples.load(std::memory_order_acquire) == before; ++i) usleep(1000);
    if (region_->samples.load(std::memory_order_acquire) == before) return false;
    out = region_->sample;
    return true;
  };
  Sample a{}, b{};
  const bool got_a = take_sample(a);
  const std::uint64_t uncounted_a = uncounted();
  usleep(static_cast<useconds_t>(std::min(config_.timeout, 1.0) / 4 * 1e6));
  const bool got_b = take_sample(b);
  const bool moved = !got_a || !got_b || a.seq != b.seq || uncounted() != uncounted_a;
  ChildEnd end;
  end.outcome = Outcome::Timeout;
  const Sample& last = got_b ? b : a;
  end.gid = last.gid;
  end.goroutine = last.name;
  end.trace_hash = region_->trace_hash;
  end.fault.last_seq = last.seq;
  end.fault.timeout_kind = moved && got_b ? "slow" : "spin";
  if (got_b || got_a) end.fault.backtrace = symbolized(last);
  end.message = end.fault.timeout_kind == "spin"
                    ? detail::spin_message(end.gid, end.goroutine, elapsed, end.fault.last_seq)
                    : detail::slow_message(config_.timeout, end.fault.last_seq);
  timed_out_ = end;
  return stop();
}

}  // namespace gorewind::record
