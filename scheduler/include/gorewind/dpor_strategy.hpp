// dpor_strategy.hpp
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/dependence.hpp>
#include <gorewind/observer.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// DporStrategy searches a program's schedules exhaustively, but runs one
// schedule per Mazurkiewicz trace rather than every interleaving: source-DPOR
// with sleep sets (Abdulla, Aronis, Jonsson and Sagonas, POPL 2014). After
// each run it finds the races in what ran, pairs of steps of two goroutines
// that conflict (dependence.hpp) with nothing ordering them in between, and
// adds, where the first of the pair was chosen, a goroutine that starts the
// reversed order; sleep sets keep it from running an order equivalent to
// one already run. The choices inside a step (a select's case, a timer tie,
// a lock handoff) are branched in full, as dfs does.
//
// A step is what one goroutine does between two points where the run could
// switch: the operation it was offered with (Access) and the events it makes.
// The program must be deterministic given the decisions; the seed is ignored.
// Use as DfsStrategy: for (;;) { run(...); if (!dpor->advance()) break; }
class DporStrategy final : public SystematicStrategy, private Observer {
 public:
  std::string_view name() const override { return "dpor"; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;
  Observer* watcher() override { return this; }
  // One P: with several, the run queues restrict which goroutines may run,
  // which the dependence relation does not model.
  unsigned max_procs() const override { return 1; }
  // advance() analyses the run just made, then moves to the next schedule;
  // false when every trace has been run.
  bool advance() override;
  // The state is the search tree's path with each node's backtrack, done
  // and sleep sets; the journal holds each decision's options and each
  // event's touches, what a run tells the search.
  void save(std::string& out) const override;
  void load(std::string_view state) override;
  void replay(std::string_view journal, bool died) override;

 private:
  // Touches is what a step did, each touch once.
  using Touches = std::vector<Touch>;
  struct Sleeper {
    Gid gid;
    Touches touches;  // of its step from the node it was run at
  };
  struct Node {
    bool goroutine = true;     // a pick_goroutine; false: a pick, every option run
    std::uint32_t n = 0;       // options
    std::uint32_t chosen = 0;  // option index
    std::vector<Gid> options;  // goroutine: who each option runs
    std::vector<Gid> backtrack;  // goroutine: who must be run from here
    std::vector<Sleeper> done;   // goroutine: who has been, with its step
    std::vector<Sleeper> sleep;  // asleep on arrival
    Touches step;                // goroutine: what the chosen one's step did
    // objects: the highest object id made before this decision, the same in
    // every run through it. Ids above it are handed out in the order
    // objects are first used, which differs from run to run.
    std::uint64_t objects = 0;
  };
  struct Step {
    Gid gid;
    std::int32_t node;  // the goroutine decision that chose it; -1: none
    Touches touches;
    std::int64_t enabler;  // the step that woke or spawned gid just before it; -1: none
  };

  // Seen is what the search takes of an event.
  struct Seen {
    EventKind kind;
    Gid gid;
    Gid peer;
    EventTouches touches;
  };

  void on_event(const Event& e) override;
  void see(const Seen& e);
  // decide() is the option a goroutine decision among these takes; the
  // step it starts is begin_step()'s.
  std::size_t decide(const std::vector<Gid>& options);
  void begin_step(Gid gid, const Touch& access);
  std::size_t choose_case(std::size_t n);
  void open_step(Gid gid, std::int32_t node);
  void close_step();
  void add_touch(const Touch& t);
  // analyse() adds the backtrack points the races of this run call for.
  void analyse();
  // analyse_end() adds those of the step that ended the run.
  void analyse_end();
  static bool dependent(const Touches& a, const Touches& b);
  // asleep() is a goroutine's step as a sleep set keeps it past the run
  // that made it: a touch of an object made after the node (objects) is a
  // touch of every object of its kind, since in another run the same id
  // may name another object.
  static Sleeper asleep(Gid gid, const Touches& step, std::uint64_t objects);
  // holds() says whether g is among set's goroutines.
  static bool holds(const std::vector<Sleeper>& set, Gid g);

  std::vector<Node> path_;
  std::size_t pos_ = 0;
  std::vector<Step> steps_;
  bool open_ = false;
  std::vector<std::uint32_t> enabler_;  // by gid: the step that last woke or spawned it, +1
  std::vector<Sleeper> sleep_;          // asleep now
  std::uint64_t made_ = 0;              // the highest object id made so far
  bool exhausted_ = false;
  std::vector<Gid> gids_;  // the options of the decision being made
  std::string record_;     // the journal record being written
};

}  // namespace gorewind
