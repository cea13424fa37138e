// watchdog.cpp: see watchdog.hpp.
#include "watchdog.hpp"

#include <link.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include <gorewind/detail/runaway.hpp>
#include <gorewind/error.hpp>

#include "stack_pool.hpp"

namespace gorewind::detail {

namespace {

thread_local WatchState* t_watch = nullptr;  // the run on this thread, while armed

#ifndef GOREWIND_SANITIZE
constexpr int kMaxDeferrals = 50;  // ticks spent waiting for a runaway to leave the C library
#endif

// The code of the C and C++ runtime libraries. A runaway interrupted in
// there (inside malloc, say) is given a few more ticks to come back to its
// own code, so that leaving it for good does not strand a library lock or a
// half-updated heap.
struct Range {
  std::uintptr_t lo, hi;
};
Range g_libs[32];
int g_nlibs = 0;

void find_runtime_libs() {
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void*) -> int {
        const char* name = info->dlpi_name;
        if (name == nullptr || *name == 0) return 0;
        const char* base = std::strrchr(name, '/');
        base = base ? base + 1 : name;
        static const char* const kLibs[] = {"libc.so", "libstdc++.so", "libgcc_s.so", "libm.so", "ld-linux"};
        bool match = false;
        for (const char* l : kLibs) match = match || std::strncmp(base, l, std::strlen(l)) == 0;
        if (!match) return 0;
        for (int i = 0; i < info->dlpi_phnum && g_nlibs < 32; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
          const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
          g_libs[g_nlibs++] = Range{lo, lo + ph.p_memsz};
        }
        return 0;
      },
      nullptr);
}

[[maybe_unused]] bool in_runtime_libs(std::uintptr_t pc) {
  for (int i = 0; i < g_nlibs; ++i)
    if (pc >= g_libs[i].lo && pc < g_libs[i].hi) return true;
  return false;
}

// --- handlers, installed process-wide while at least one run uses them ---

struct Installed {
  int sig;
  int users = 0;
  struct sigaction prev {};
};
Installed g_segv{SIGSEGV};
Installed g_alarm{SIGALRM};
std::mutex g_install_mutex;

// chain() passes a signal that is not ours to the handler from before.
void chain(const struct sigaction& prev, int sig, siginfo_t* si, void* uc) {
  if ((prev.sa_flags & SA_SIGINFO) != 0) {
    if (prev.sa_sigaction != nullptr) prev.sa_sigaction(sig, si, uc);
    return;
  }
  if (prev.sa_handler == SIG_IGN && sig != SIGSEGV) return;
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  // The default action: put it back; a fault happens again on return, a
  // signal sent by someone is raised again (and delivered on return).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  if (si == nullptr || si->si_code <= 0) raise(sig);
}

[[maybe_unused]] void on_segv(int sig, siginfo_t* si, void* uc) {
  WatchState* ws = t_watch;
  if (ws == nullptr) return chain(g_segv.prev, sig, si, uc);
  WatchState& w = *ws;
  const auto* addr = static_cast<const char*>(si->si_addr);
  if (w.jump != nullptr && w.lo != nullptr && w.guard != 0 && w.reason == 0 && addr >= w.lo &&
      addr < w.lo + w.guard) {
    w.reason = static_cast<sig_atomic_t>(Runaway::Overflow);
    siglongjmp(*w.jump, 1);
  }
  chain(g_segv.prev, sig, si, uc);
}

void on_alarm(int sig, siginfo_t* si, void* uc) {
  WatchState* ws = t_watch;
  if (ws == nullptr || !ws->timing || si->si_code != SI_TIMER || si->si_value.sival_ptr != ws) {
    chain(g_alarm.prev, sig, si, uc);
    return;
  }
  WatchState& w = *ws;
  const int saved_errno = errno;
  const std::int64_t now = monotonic_ns();
  const std::uint64_t seq = *static_cast<const volatile std::uint64_t*>(w.seq);
  const bool progressed = seq != w.last_seq;
  if (progressed) {
    w.last_seq = seq;
    w.last_progress_ns = now;
  }
  if (now >= w.deadline_ns) {
    w.expired = 1;
    w.cap->store(0, std::memory_order_relaxed);  // the next scheduling point ends the run
#ifndef GOREWIND_SANITIZE
    // A goroutine on its own stack that made no progress for a whole tick
    // will not reach a scheduling point: leave it where it stands.
    const std::uintptr_t sp = context_sp(uc);
    const auto lo = reinterpret_cast<std::uintptr_t>(w.lo);
    const bool on_goroutine_stack = w.lo != nullptr && (sp == 0 || (sp >= lo && sp < lo + w.size));
    if (!progressed && on_goroutine_stack && w.jump != nullptr && w.reason == 0) {
      if (in_runtime_libs(context_pc(uc)) && w.deferrals < kMaxDeferrals) {
        ++w.deferrals;
      } else {
        w.stuck_ns = now - w.last_progress_ns;
        w.reason = static_cast<sig_atomic_t>(Runaway::Timeout);
        siglongjmp(*w.jump, 1);
      }
    }
#endif
  }
  errno = saved_errno;
}

void install(Installed& in, void (*handler)(int, siginfo_t*, void*), int flags) {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  if (in.users++ > 0) return;
  struct sigaction sa {};
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  sigaction(in.sig, &sa, &in.prev);
}

void uninstall(Installed& in) {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  if (--in.users > 0) return;
  sigaction(in.sig, &in.prev, nullptr);
}

// The alternate signal stack: a SIGSEGV from an overflow cannot run its
// handler on the stack that overflowed. Counted per thread like the
// handlers, so that a WatchdogHold keeps it up between runs.
constexpr std::size_t kAltStackSize = 64 * 1024;
struct AltStack {
  int users = 0;
  bool ok = false;  // ours is installed
  stack_t prev{};
};
thread_local AltStack t_altstack;

// take_altstack() makes sure this thread runs its handlers on the alternate
// stack; false when it cannot (the count is taken either way). Unused under
// the sanitizers, like the overflow handler.
[[maybe_unused]] bool take_altstack() {
  AltStack& a = t_altstack;
  if (a.users++ > 0) return a.ok;
  thread_local std::unique_ptr<char[]> mem(new char[kAltStackSize]);
  stack_t ss{};
  ss.ss_sp = mem.get();
  ss.ss_size = kAltStackSize;
  ss.ss_flags = 0;
  a.ok = sigaltstack(&ss, &a.prev) == 0;
  return a.ok;
}

void give_altstack() {
  AltStack& a = t_altstack;
  if (--a.users > 0 || !a.ok) return;
  sigaltstack(&a.prev, nullptr);
  a.ok = false;
}

// take_overflow_watch() installs what catches a stack overflow: the
// alternate stack and, when stacks have guards, the SIGSEGV handler. It
// sets the flags saying which to give back.
void take_overflow_watch(bool& altstack, bool& segv) {
#ifndef GOREWIND_SANITIZE
  altstack = take_altstack();
  if (altstack && stack_guard() != StackGuard::None) {
    install(g_segv, on_segv, SA_ONSTACK);
    segv = true;
  }
#else
  (void)altstack;
  (void)segv;
#endif
}

void give_overflow_watch(bool& altstack, bool& segv) {
  if (segv) uninstall(g_segv);
  segv = false;
  if (altstack) give_altstack();
  altstack = false;
}

}  // namespace

void Watchdog::arm(std::uint64_t max_steps, double timeout, const std::uint64_t* seq, const StackPool& stacks) {
  disarm();
  max_steps_ = max_steps;
  timeout_ = timeout;
  stack_limit_ = stacks.usable();
  cap_.store(max_steps != 0 ? max_steps : std::numeric_limits<std::uint64_t>::max(), std::memory_order_relaxed);
  WatchState& w = state_;
  w = WatchState{};
  w.size = stacks.size();
  w.guard = stack_guard() != StackGuard::None ? StackPool::guard_size() : 0;
  t_watch = &w;
  armed_ = true;
  take_overflow_watch(altstack_, segv_);
  if (timeout > 0) {
    static std::once_flag libs_found;
    std::call_once(libs_found, find_runtime_libs);
    const std::int64_t now = monotonic_ns();
    const double ns = timeout * 1e9;
    w.seq = seq;
    w.cap = &cap_;
    w.deadline_ns = now + (ns > 9e18 ? static_cast<std::int64_t>(9e18) : static_cast<std::int64_t>(ns));
    w.last_progress_ns = now;
    w.last_seq = *seq;
    // Tick often enough to notice a runaway soon after the deadline.
    std::int64_t tick = static_cast<std::int64_t>(ns / 10);
    if (tick < 1000000) tick = 1000000;
    if (tick > 100000000) tick = 100000000;
    install(g_alarm, on_alarm, SA_RESTART | (altstack_ ? SA_ONSTACK : 0));
    alarm_ = true;
    sigevent sev{};
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGALRM;
    sev.sigev_value.sival_ptr = &w;
    sev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
    if (timer_create(CLOCK_MONOTONIC, &sev, &timer_) != 0) {
      disarm();
      throw Error(std::string("gorewind: timeout: cannot create a timer: ") + std::strerror(errno));
    }
    w.timing = true;
    itimerspec its{};
    its.it_interval.tv_sec = tick / 1000000000;
    its.it_interval.tv_nsec = tick % 1000000000;
    its.it_value = its.it_interval;
    timer_settime(timer_, 0, &its, nullptr);
  }
  w.jump = &jump_;
}

void Watchdog::disarm() {
  if (!armed_) return;
  armed_ = false;
  WatchState& w = state_;
  w.jump = nullptr;
  w.lo = nullptr;
  if (alarm_) {
    // Stop the timer with SIGALRM blocked, and take back a tick it may have
    // sent meanwhile: once the handler from before is back (the default one
    // ends the process), a tick of ours must not reach it.
    sigset_t alrm, old;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alrm, &old);
    if (w.timing) timer_delete(timer_);
    w.timing = false;
    bool foreign = false;
    siginfo_t si;
    const timespec zero{0, 0};
    while (sigtimedwait(&alrm, &si, &zero) == SIGALRM)
      if (si.si_code != SI_TIMER || si.si_value.sival_ptr != &w) foreign = true;
    uninstall(g_alarm);
    alarm_ = false;
    if (foreign) raise(SIGALRM);  // someone else's alarm: delivered to their handler on unblocking
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  give_overflow_watch(altstack_, segv_);
  if (t_watch == &w) t_watch = nullptr;
}

WatchdogHold::WatchdogHold() { take_overflow_watch(altstack_, segv_); }

WatchdogHold::~WatchdogHold() { give_overflow_watch(altstack_, segv_); }

void Watchdog::cap_steps(std::uint64_t seq) {
  // The timer's handler may set the cap to 0 meanwhile: never undo that.
  std::uint64_t cap = cap_.load(std::memory_order_relaxed);
  while (seq < cap && !cap_.compare_exchange_weak(cap, seq, std::memory_order_relaxed)) {
  }
}

Outcome Watchdog::limit_outcome() const { return state_.expired ? Outcome::Timeout : Outcome::StepLimit; }

std::string Watchdog::limit_message(std::uint64_t seq) const {
  if (state_.expired)
    return slow_message(timeout_, seq);
  return "step limit of " + std::to_string(max_steps_) + " events reached";
}

Runaway Watchdog::landed() {
  WatchState& w = state_;
  w.lo = nullptr;
  const auto why = static_cast<Runaway>(w.reason);
  w.reason = 0;
  // The handler's signal was blocked while it ran, and the jump (which does
  // not save the mask: that would cost a system call per run) kept it so.
  sigset_t ours;
  sigemptyset(&ours);
  sigaddset(&ours, SIGSEGV);
  sigaddset(&ours, SIGALRM);
  pthread_sigmask(SIG_UNBLOCK, &ours, nullptr);
  return why;
}

std::string Watchdog::runaway_message(Runaway why, Gid gid, const std::string& name, std::uint64_t seq) const {
  if (why == Runaway::Overflow)
    return "fatal error: stack overflow (goroutine stack exceeds " +
           std::to_string(stack_limit_) + "-byte limit)";
  return spin_message(gid, name, static_cast<double>(state_.stuck_ns) / 1e9, seq);
}

std::int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::uintptr_t context_sp(void* ucv) {
  auto* uc = static_cast<ucontext_t*>(ucv);
#if defined(__x86_64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.sp);
#else
  (void)uc;
  return 0;
#endif
}

std::uintptr_t context_pc(void* ucv) {
  auto* uc = static_cast<ucontext_t*>(ucv);
#if defined(__x86_64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.pc);
#else
  (void)uc;
  return 0;
#endif
}

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  std::string out = buf;
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

std::string spin_message(Gid gid, const std::string& name, double s, std::uint64_t last_seq) {
  return "goroutine " + std::to_string(gid) + " (" + name + ") ran for " + seconds(s) +
         " s without reaching a scheduling point; last seq " + std::to_string(last_seq);
}

std::string slow_message(double timeout, std::uint64_t last_seq) {
  return "run exceeded its wall-clock timeout of " + seconds(timeout) + " s; last seq " + std::to_string(last_seq);
}

}  // namespace gorewind::detail
