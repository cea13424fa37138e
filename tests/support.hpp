// support.hpp: helpers shared by the tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/scenario.hpp>

namespace gorewind::test {

// kSanitized says this is the AddressSanitizer+UBSan build.
#ifdef GOREWIND_SANITIZE
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// repeats() is how many times a test repeats what it checks over many
// cases (seeds of every scenario, seqs of a run): `full` in the release
// suite, a fifth (at least 3) under the sanitizers. They look for memory
// errors, which a few cases reach, and run the same code about ten times
// slower.
constexpr std::uint64_t repeats(std::uint64_t full) {
  if (!kSanitized) return full;
  return full / 5 < 3 ? 3 : full / 5;
}

// Recorded is one event copied out of the observer call.
struct Recorded {
  std::uint64_t seq;
  Gid gid;
  EventKind kind;
  std::uint32_t obj;
  Gid peer;
  WaitReason reason;
  bool ok;
  std::int32_t select_case;
  std::vector<std::int32_t> ready;
  std::uint64_t cause;
  std::int64_t amount;
  std::int64_t counter;
  std::int64_t vtime_ns;
  std::string value;
  std::string text;
  std::string file;
  unsigned line;
  std::int32_t p;
  std::int32_t m;
};

// EventLog keeps every event of a run.
class EventLog final : public Observer {
 public:
  void on_run_begin(const RunInfo&) override { events.clear(); }
  void on_event(const Event& e) override {
    events.push_back(Recorded{e.seq, e.gid, e.kind, e.obj, e.peer, e.reason, e.ok, e.select_case,
                              std::vector<std::int32_t>(e.ready.begin(), e.ready.end()), e.cause, e.amount,
                              e.counter, e.vtime_ns, e.value.to_string(), std::string(e.text), e.site.file_name(),
                              e.site.line(), e.p, e.m});
  }
  // lines() renders each event as "g<gid> <kind>[ <detail>]" for exact comparisons.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const Recorded& e : events) {
      std::string s = "g" + std::to_string(e.gid) + " " + std::string(to_string(e.kind));
      if (e.obj) s += " #" + std::to_string(e.obj);
      if (e.peer) s += " peer=g" + std::to_string(e.peer);
      if (e.kind == EventKind::Park) s += " [" + std::string(to_string(e.reason)) + "]";
      if (e.kind == EventKind::Select) s += " case=" + std::to_string(e.select_case);
      if (!e.ok) s += " !ok";
      if (!e.value.empty()) s += " =" + e.value;
      if (!e.text.empty()) s += " '" + e.text + "'";
      out.push_back(s);
    }
    return out;
  }
  std::vector<Recorded> events;
};

// RunOutput is a run's result with its events and trace hash.
struct RunOutput {
  RunResult result;
  std::vector<Recorded> events;
  std::vector<std::string> lines;
  std::string hash;
};

// run_with() runs fn under the named strategy and seed, collecting events.
// drain_steps 0 ends the run at main's return (RunOptions::drain_steps),
// for what teardown does there.
inline RunOutput run_with(const std::function<void()>& fn, const std::string& strategy = "random",
                          std::uint64_t seed = 1, RaceMode races = RaceMode::First,
                          std::uint64_t drain_steps = RunOptions{}.drain_steps) {
  EventLog log;
  TraceHasher hasher;
  RunOptions o;
  o.seed = seed;
  o.races = races;
  o.drain_steps = drain_steps;
  o.strategy = make_strategy(strategy);
  o.observers = {&log, &hasher};
  RunOutput out;
  out.result = run(fn, o);
  out.events = log.events;
  out.lines = log.lines();
  out.hash = hasher.hex();
  return out;
}

// Schedule is one strategy and seed to run a test body under.
struct Schedule {
  std::string strategy;
  std::uint64_t seed;
};

// schedules() is fifo plus `random_seeds` seeds of the random strategy: a
// rule that holds on every schedule is checked on all of them.
inline std::vector<Schedule> schedules(std::uint64_t random_seeds) {
  std::vector<Schedule> v{{"fifo", 1}};
  for (std::uint64_t s = 1; s <= random_seeds; ++s) v.push_back({"random", s});
  return v;
}

// named() is prefix followed by i ("r0", "r1", ...).
// in_process_scenarios() are the registered scenarios a test may run in its
// own process: all but those that crash or hang it on some schedules.
inline std::vector<const Scenario*> in_process_scenarios() {
  std::vector<const Scenario*> out;
  for (const Scenario* s : scenarios())
    if (!s->kills_process) out.push_back(s);
  return out;
}

inline std::string named(const char* prefix, int i) { return prefix + std::to_string(i); }

// ns() and now_ns() give durations and the virtual clock in nanoseconds.
inline std::int64_t ns(Duration d) { return d.count(); }
inline std::int64_t now_ns() { return now().time_since_epoch().count(); }

}  // namespace gorewind::test
