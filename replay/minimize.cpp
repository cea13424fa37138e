#include <gorewind/replay/minimize.hpp>

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>

#include <gorewind/error.hpp>
#include <gorewind/record/child_process.hpp>

namespace gorewind::replay {

namespace {

static_assert(std::is_trivially_copyable_v<Choice>);

// AttemptTape is memory an attempt's child shares with this process: the
// decisions it made and the figures so far, each published before the
// child's code runs on, and, when the run returns, how it ended. A child
// that dies leaves what it had published.
class AttemptTape {
 public:
  explicit AttemptTape(std::size_t capacity)
      : capacity_(capacity), bytes_(sizeof(Header) + capacity * sizeof(Choice)) {
    void* mem = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) throw Error(std::string("cannot map memory for minimize: ") + std::strerror(errno));
    header_ = new (mem) Header{};
    choices_ = reinterpret_cast<Choice*>(static_cast<char*>(mem) + sizeof(Header));
  }
  ~AttemptTape() { munmap(header_, bytes_); }
  AttemptTape(const AttemptTape&) = delete;
  AttemptTape& operator=(const AttemptTape&) = delete;

  // reset() empties the tape for the next attempt; called before the fork.
  void reset() { new (header_) Header{}; }

  // The child's side.
  void add(const Choice& c, bool preempted) {
    const std::uint64_t n = header_->made.load(std::memory_order_relaxed);
    if (n == capacity_) {
      header_->overflowed.store(true, std::memory_order_release);
      return;
    }
    choices_[n] = c;
    header_->preemptions += preempted;
    header_->made.store(n + 1, std::memory_order_release);
  }
  void on_event(const Event& e) {
    header_->switches += e.kind == EventKind::Switch;
    header_->events = e.seq;
  }
  void finish(const RunResult& r) {
    header_->outcome = r.outcome;
    header_->line = r.site.line;
    copy(header_->file, r.site.file);
    copy(header_->function, r.site.function);
    header_->finished.store(true, std::memory_order_release);
  }

  // This process's side, once the child has ended.
  bool finished() const { return header_->finished.load(std::memory_order_acquire); }
  bool overflowed() const { return header_->overflowed.load(std::memory_order_acquire); }
  std::vector<Choice> made() const { return {choices_, choices_ + header_->made.load(std::memory_order_acquire)}; }
  ScheduleFigures figures() const { return {header_->preemptions, header_->switches, header_->events}; }
  RunResult result() const {
    RunResult r;
    r.outcome = header_->outcome;
    r.site = Site{header_->file, header_->line, header_->function};
    r.events = header_->events;
    return r;
  }

 private:
  static constexpr std::size_t kTextSize = 512;
  struct Header {
    std::atomic<std::uint64_t> made{0};
    std::atomic<bool> overflowed{false};
    std::atomic<bool> finished{false};
    std::uint64_t preemptions = 0;
    std::uint64_t switches = 0;
    std::uint64_t events = 0;
    Outcome outcome = Outcome::Ok;
    std::uint32_t line = 0;
    char file[kTextSize] = {};
    char function[kTextSize] = {};
  };
  static void copy(char (&to)[kTextSize], const std::string& from) {
    const std::size_t n = std::min(from.size(), kTextSize - 1);
    std::memcpy(to, from.data(), n);
    to[n] = '\0';
  }

  std::size_t capacity_;
  std::size_t bytes_;
  Header* header_ = nullptr;
  Choice* choices_ = nullptr;
};

// Measuring runs a script and puts on the tape what ScheduleFigures count
// and every answer it gives (the schedule the run really made, which may
// differ from the script past the point where the script stopped applying).
class Measuring final : public Strategy, public Observer {
 public:
  Measuring(std::vector<Choice> script, AttemptTape& tape) : script_(std::move(script)), tape_(tape) {}
  std::string_view name() const override { return script_.name(); }
  void begin_run(std::uint64_t seed) override { script_.begin_run(seed); }
  std::size_t pick_goroutine(const Runnable& options) override {
    const std::size_t i = script_.pick_goroutine(options);
    tape_.add({Choice::kGoroutine, static_cast<std::uint32_t>(options.size()), static_cast<std::uint32_t>(i)},
              options.current() != 0 && i != 0);
    return i;
  }
  std::size_t pick(Decision kind, std::size_t n) override {
    const std::size_t i = script_.pick(kind, n);
    tape_.add({Choice::kind_of(kind), static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(i)}, false);
    return i;
  }
  void on_event(const Event& e) override { tape_.on_event(e); }

 private:
  ScriptedStrategy script_;
  AttemptTape& tape_;
};

struct Trial {
  RunResult result;
  std::vector<Choice> schedule;
  ScheduleFigures figures;
  bool whole = true;  // false: the tape overflowed, the schedule is cut short
};

// attempt() runs fn under script in a supervised child.
Trial attempt(const std::function<void()>& fn, const RunOptions& options, std::vector<Choice> script,
              AttemptTape& tape, double timeout) {
  tape.reset();
  record::ChildProcess child(
      [&] {
        RunOptions o = options;
        auto m = std::make_shared<Measuring>(std::move(script), tape);
        o.strategy = m;
        o.observers = {m.get()};
        tape.finish(run(fn, o));
        return 0;
      },
      record::ChildProcess::Config::timed(timeout));
  const record::ChildEnd end = child.wait();
  Trial t;
  if (end.returned() && tape.finished()) {
    t.result = tape.result();
  } else if (end.returned()) {
    t.result.outcome = Outcome::Exited;  // the attempt's body failed: matches no recorded failure
    t.result.fault.exit_status = end.code;
  } else {
    t.result = record::fault_result(end);
  }
  t.schedule = tape.made();
  t.figures = tape.figures();
  t.whole = !tape.overflowed();
  return t;
}

bool same_failure(const RunResult& a, const RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
}

}  // namespace

Minimized minimize(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& schedule,
                   const MinimizeLimits& limits) {
  // Room for every decision of a candidate as long as the original and
  // then some: past the script, a candidate may run longer than it.
  AttemptTape tape(2 * schedule.size() + (1u << 20));
  Trial best = attempt(fn, options, schedule, tape, limits.timeout);
  Minimized out;
  out.attempts = 1;
  out.before = best.figures;
  bool improved = true;
  while (improved && out.attempts < limits.max_attempts) {
    improved = false;
    for (std::size_t i = best.schedule.size(); i-- > 0 && out.attempts < limits.max_attempts;) {
      if (i >= best.schedule.size() || best.schedule[i].chosen == 0) continue;
      std::vector<Choice> candidate = best.schedule;
      candidate[i].chosen = 0;
      Trial t = attempt(fn, options, std::move(candidate), tape, limits.timeout);
      ++out.attempts;
      if (t.whole && same_failure(t.result, best.result) && t.figures.no_worse_than(best.figures) &&
          !(t.figures == best.figures && t.schedule == best.schedule)) {
        best = std::move(t);
        improved = true;
      }
    }
  }
  out.schedule = std::move(best.schedule);
  out.result = std::move(best.result);
  out.after = best.figures;
  return out;
}

}  // namespace gorewind::replay
