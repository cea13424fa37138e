// dfs_strategy.hpp
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/strategy.hpp>

namespace gorewind {

// DfsStrategy enumerates a program's schedules depth first, one per run:
// every decision (which goroutine runs, which select case, which timer or
// lock waiter goes first) is a branch, explored in order, and a schedule
// preempts at most `preemption_bound` times (choosing another goroutine
// where the running one could go on), as CHESS bounds its search
// (Musuvathi and Qadeer, PLDI 2007). The program must be deterministic given
// the decisions; the seed is ignored.
//
// Use: for (;;) { run(fn, {.strategy = dfs}); if (!dfs->advance()) break; }
// A shard (index of count) explores only the schedules whose first decision
// takes an option o with o % count == index (a program without decisions
// belongs to shard 0), so the shards of one search partition it exactly; a
// run that fell outside the shard (it can only be the first) does not count.
class DfsStrategy final : public SystematicStrategy {
 public:
  static constexpr int kDefaultPreemptionBound = 2;
  explicit DfsStrategy(int preemption_bound = kDefaultPreemptionBound, unsigned shard_index = 0,
                       unsigned shard_count = 1);
  std::string_view name() const override { return "dfs"; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;
  bool advance() override;
  // exhausted() is true once advance() has returned false.
  bool exhausted() const { return exhausted_; }
  bool counts() const override { return in_shard_ && (pos_ > 0 || shard_index_ == 0); }
  // A dfs search's state is the path of the run it is in: the journal holds
  // each decision, and save() has nothing to add.
  void save(std::string&) const override {}
  void load(std::string_view state) override;
  void replay(std::string_view journal, bool died) override;

 private:
  struct Node {
    std::uint32_t n;          // options at this decision
    std::uint32_t chosen;
    bool can_continue;        // option 0 is the running goroutine going on
    int preemptions_before;   // preemptions on the path above this node
  };
  std::size_t choose(std::size_t n, bool can_continue);
  // next_option() is the first option >= from that the bound and the shard
  // allow at this node, or n when none.
  std::uint32_t next_option(const Node& node, std::size_t depth, std::uint32_t from) const;
  int bound_;
  unsigned shard_index_;
  unsigned shard_count_;
  std::vector<Node> path_;
  std::size_t pos_ = 0;
  int preemptions_ = 0;
  std::string record_;  // the journal record being written
  bool in_shard_ = true;
  bool exhausted_ = false;
};

}  // namespace gorewind
