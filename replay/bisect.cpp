#include <gorewind/replay/bisect.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <gorewind/observer.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/record/shared_memory.hpp>

namespace gorewind::replay {

std::string_view to_string(BisectStatus s) {
  switch (s) {
    case BisectStatus::Found: return "found";
    case BisectStatus::NotFailing: return "not_failing";
    case BisectStatus::PassingFails: return "passing_fails";
    case BisectStatus::NoPassToFail: return "no_pass_to_fail";
    case BisectStatus::OutOfAttempts: return "out_of_attempts";
  }
  return "unknown";
}

std::string_view decision_kind(std::uint8_t kind) {
  if (kind == Choice::kGoroutine) return "goroutine";
  if (kind == Choice::kind_of(Decision::SelectCase)) return "select_case";
  if (kind == Choice::kind_of(Decision::TimerTie)) return "timer_tie";
  if (kind == Choice::kind_of(Decision::LockHandoff)) return "lock_handoff";
  if (kind == Choice::kind_of(Decision::ProcTie)) return "proc_tie";
  if (kind == Choice::kind_of(Decision::StealVictim)) return "steal_victim";
  return "unknown";
}

std::vector<Choice> mix(const std::vector<Choice>& failing, const std::vector<Choice>& passing, std::size_t k) {
  k = std::min(k, failing.size());
  std::vector<Choice> m(failing.begin(), failing.begin() + static_cast<std::ptrdiff_t>(k));
  if (k < passing.size()) m.insert(m.end(), passing.begin() + static_cast<std::ptrdiff_t>(k), passing.end());
  return m;
}

namespace {

// Text is a string in shared memory, cut to its size.
struct Text {
  static constexpr std::size_t kSize = 512;
  char chars[kSize];
  void set(const std::string& s) {
    const std::size_t n = std::min(s.size(), kSize - 1);
    std::memcpy(chars, s.data(), n);
    chars[n] = '\0';
  }
  std::string str() const { return chars; }
};

// Report is what an attempt's child publishes: how the run ended and, when
// it watched a decision, what that decision was and the first event after it.
struct Report {
  std::atomic<bool> finished;
  Outcome outcome;
  Gid goroutine;
  std::uint64_t events;
  std::uint32_t line;
  Text file, function, message;
  bool probed;  // the watched decision was asked
  Choice asked;
  bool seen;  // an event followed it
  std::uint64_t seq;
  Gid gid;
  std::uint32_t site_line;
  Text site_file, site_function;

  void finish(const RunResult& r) {
    outcome = r.outcome;
    goroutine = r.goroutine;
    events = r.events;
    line = r.site.line;
    file.set(r.site.file);
    function.set(r.site.function);
    message.set(r.message);
    finished.store(true, std::memory_order_release);
  }
  RunResult result() const {
    RunResult r;
    r.outcome = outcome;
    r.goroutine = goroutine;
    r.events = events;
    r.site = Site{file.str(), line, function.str()};
    r.message = message.str();
    return r;
  }
};

constexpr std::size_t kNoDecision = std::numeric_limits<std::size_t>::max();

// Watching follows a script and, at decision `watched` (counted from 0),
// notes on the report what was asked and answered, and the first event
// after it.
class Watching final : public Strategy, public Observer {
 public:
  Watching(std::vector<Choice> script, std::size_t watched, Report& report)
      : script_(std::move(script)), watched_(watched), report_(report) {}
  std::string_view name() const override { return script_.name(); }
  void begin_run(std::uint64_t seed) override { script_.begin_run(seed); }
  std::size_t pick_goroutine(const Runnable& options) override {
    return note(Choice::kGoroutine, options.size(), script_.pick_goroutine(options));
  }
  std::size_t pick(Decision kind, std::size_t n) override {
    return note(Choice::kind_of(kind), n, script_.pick(kind, n));
  }
  void on_event(const Event& e) override {
    if (!armed_) return;
    armed_ = false;
    report_.seen = true;
    report_.seq = e.seq;
    report_.gid = e.gid;
    const Site site = Site::from(e.site);
    report_.site_line = site.line;
    report_.site_file.set(site.file);
    report_.site_function.set(site.function);
  }

 private:
  std::size_t note(std::uint8_t kind, std::size_t n, std::size_t chosen) {
    if (decisions_++ == watched_) {
      report_.probed = true;
      report_.asked = {kind, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(chosen)};
      armed_ = true;
    }
    return chosen;
  }
  ScriptedStrategy script_;
  std::size_t watched_;
  Report& report_;
  std::size_t decisions_ = 0;
  bool armed_ = false;  // the watched decision was just made: the next event is the one after it
};

// Attempt is one supervised run of a script.
struct Attempt {
  RunResult result;
  bool probed = false;
  Choice asked;
  bool seen = false;
  std::uint64_t seq = 0;
  Gid gid = 0;
  Site site;
};

// run_script() runs fn under script in a supervised child, watching
// decision `watched` (kNoDecision: none).
Attempt run_script(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& script,
                   std::size_t watched, record::Shared<Report>& report, double timeout) {
  report.reset();
  record::ChildProcess child(
      [&] {
        auto w = std::make_shared<Watching>(script, watched, *report);
        RunOptions o = options;
        o.strategy = w;
        o.observers = {w.get()};
        report->finish(run(fn, o));
        return 0;
      },
      record::ChildProcess::Config::timed(timeout));
  const record::ChildEnd end = child.wait();
  Attempt a;
  if (end.returned() && report->finished.load(std::memory_order_acquire)) {
    a.result = report->result();
  } else if (end.returned()) {
    a.result.outcome = Outcome::Exited;  // the attempt's body failed: matches no recorded failure
    a.result.fault.exit_status = end.code;
  } else {
    a.result = record::fault_result(end);
  }
  a.probed = report->probed;
  a.asked = report->asked;
  a.seen = report->seen;
  a.seq = report->seq;
  a.gid = report->gid;
  a.site = Site{report->site_file.str(), report->site_line, report->site_function.str()};
  return a;
}

// fails_as() says whether a ended as b did: the same outcome at the same site.
bool fails_as(const RunResult& a, const RunResult& b) {
  return a.outcome == b.outcome && a.site.file == b.site.file && a.site.line == b.site.line;
}

// Verdict is a mix's run compared with the failure.
enum class Verdict : std::uint8_t {
  Pass,          // ok
  SameFailure,   // the failure's outcome at its site
  OtherFailure,  // any other ending
};

// Search holds one bisection's state: its inputs, the verdict of each mix
// run so far, and the attempts made.
class Search {
 public:
  Search(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& failing,
         const std::vector<Choice>& passing, const BisectLimits& limits)
      : fn_(fn), options_(options), failing_(failing), passing_(passing), limits_(limits) {}

  Bisected run() {
    const std::size_t n = failing_.size();
    if (!spend()) return out_;
    out_.failure = run_script(fn_, options_, failing_, kNoDecision, report_, limits_.timeout).result;
    if (out_.failure.outcome == Outcome::Ok) {
      out_.status = BisectStatus::NotFailing;
      return out_;
    }
    verdicts_[n] = Verdict::SameFailure;
    if (n == 0) {  // no decision: the passing schedule has nothing to answer, the run is the failure
      out_.passing = out_.failure;
      out_.status = BisectStatus::PassingFails;
      return out_;
    }
    const std::optional<Verdict> first = verdict(0);
    if (!first) return out_;
    if (*first != Verdict::Pass) {
      out_.status = BisectStatus::PassingFails;
      return out_;
    }
    // Binary search: lo passes (or fails another way), hi fails the same way.
    std::size_t lo = 0, hi = n;
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const std::optional<Verdict> v = verdict(mid);
      if (!v) return out_;
      (*v == Verdict::SameFailure ? hi : lo) = mid;
    }
    // The pairs (k-1, k) from the search's own outward, nearest first (the
    // lower of two as near): the first that passes next to the failure and
    // verifies is the culprit.
    if (const std::optional<bool> found = try_pair(hi); !found || *found) return out_;
    for (std::size_t distance = 1; distance < n; ++distance) {
      if (distance < hi)
        if (const std::optional<bool> found = try_pair(hi - distance); !found || *found) return out_;
      if (hi + distance <= n)
        if (const std::optional<bool> found = try_pair(hi + distance); !found || *found) return out_;
    }
    out_.status = BisectStatus::NoPassToFail;
    return out_;
  }

 private:
  // spend() counts one more attempt; false (status OutOfAttempts) when
  // none is left.
  bool spend() {
    if (out_.attempts >= limits_.max_attempts) {
      out_.status = BisectStatus::OutOfAttempts;
      return false;
    }
    ++out_.attempts;
    return true;
  }

  // verdict() is mix k's verdict, running it when not known yet; nullopt
  // when the attempts ran out.
  std::optional<Verdict> verdict(std::size_t k) {
    if (const auto it = verdicts_.find(k); it != verdicts_.end()) return it->second;
    if (!spend()) return std::nullopt;
    const RunResult r =
        run_script(fn_, options_, mix(failing_, passing_, k), kNoDecision, report_, limits_.timeout).result;
    if (k == 0) out_.passing = r;
    const Verdict v = r.outcome == Outcome::Ok       ? Verdict::Pass
                      : fails_as(r, out_.failure) ? Verdict::SameFailure
                                                  : Verdict::OtherFailure;
    verdicts_[k] = v;
    return v;
  }

  // try_pair() checks mixes k-1 and k: true when k-1 passes, k fails the
  // same way and both say so again, watched, at decision k-1 (out_ then
  // holds the culprit); false when not; nullopt when the attempts ran out.
  std::optional<bool> try_pair(std::size_t k) {
    const std::optional<Verdict> after = verdict(k);
    if (!after) return std::nullopt;
    if (*after != Verdict::SameFailure) return false;
    const std::optional<Verdict> before = verdict(k - 1);
    if (!before) return std::nullopt;
    if (*before != Verdict::Pass) return false;
    BisectSide sides[2];
    Attempt watched[2];
    for (int i = 0; i < 2; ++i) {
      if (!spend()) return std::nullopt;
      sides[i].prefix = k - 1 + static_cast<std::size_t>(i);
      sides[i].schedule = mix(failing_, passing_, sides[i].prefix);
      watched[i] = run_script(fn_, options_, sides[i].schedule, k - 1, report_, limits_.timeout);
      sides[i].result = watched[i].result;
      sides[i].chosen = watched[i].asked.chosen;
      sides[i].gid = watched[i].gid;
      sides[i].site = watched[i].site;
    }
    // Verified: the runs repeat (pass, same failure), both reached the
    // decision with the same question and answered it differently.
    const bool verified = watched[0].result.outcome == Outcome::Ok && fails_as(watched[1].result, out_.failure) &&
                          watched[0].probed && watched[1].probed && watched[0].seen && watched[1].seen &&
                          watched[0].seq == watched[1].seq && watched[0].asked.kind == watched[1].asked.kind &&
                          watched[0].asked.options == watched[1].asked.options &&
                          watched[0].asked.chosen != watched[1].asked.chosen;
    if (!verified) return false;
    out_.status = BisectStatus::Found;
    out_.decision = k - 1;
    out_.asked = watched[1].asked;
    out_.seq = watched[1].seq;
    out_.before = std::move(sides[0]);
    out_.after = std::move(sides[1]);
    return true;
  }

  const std::function<void()>& fn_;
  const RunOptions& options_;
  const std::vector<Choice>& failing_;
  const std::vector<Choice>& passing_;
  const BisectLimits& limits_;
  record::Shared<Report> report_;
  std::map<std::size_t, Verdict> verdicts_;  // by k: every mix run so far
  Bisected out_;
};

}  // namespace

Bisected bisect(const std::function<void()>& fn, const RunOptions& options, const std::vector<Choice>& failing,
                const std::vector<Choice>& passing, const BisectLimits& limits) {
  return Search(fn, options, failing, passing, limits).run();
}

}  // namespace gorewind::replay
