#include <gorewind/dfs_strategy.hpp>

#include <gorewind/error.hpp>
#include <gorewind/packed_bytes.hpp>

namespace gorewind {

DfsStrategy::DfsStrategy(int preemption_bound, unsigned shard_index, unsigned shard_count)
    : bound_(preemption_bound), shard_index_(shard_index), shard_count_(shard_count) {
  if (preemption_bound < 0) throw Error("dfs: the preemption bound must be at least 0");
  if (shard_count == 0 || shard_index >= shard_count) throw Error("dfs: shard index must be below the shard count");
}

void DfsStrategy::begin_run(std::uint64_t) {
  pos_ = 0;
  preemptions_ = 0;
}

std::uint32_t DfsStrategy::next_option(const Node& node, std::size_t depth, std::uint32_t from) const {
  for (std::uint32_t o = from; o < node.n; ++o) {
    if (depth == 0 && o % shard_count_ != shard_index_) continue;
    const bool preempts = node.can_continue && o != 0;
    if (preempts && node.preemptions_before + 1 > bound_) continue;
    return o;
  }
  return node.n;
}

std::size_t DfsStrategy::choose(std::size_t n, bool can_continue) {
  if (pos_ < path_.size()) {
    const Node& node = path_[pos_];
    if (node.n != n || node.can_continue != can_continue)
      throw Error("dfs: the program made different decisions on the same schedule (it depends on something "
                  "besides the scheduler: real time, addresses, unseeded randomness)");
  } else {
    Node node{static_cast<std::uint32_t>(n), 0, can_continue, preemptions_};
    node.chosen = next_option(node, pos_, 0);
    if (node.chosen == node.n) {
      // Only the first decision can have no allowed option: an empty shard.
      in_shard_ = false;
      node.chosen = 0;
    }
    path_.push_back(node);
  }
  const Node& node = path_[pos_++];
  if (node.can_continue && node.chosen != 0) ++preemptions_;
  if (journaling()) {
    record_.clear();
    pack(record_, node.n);
    pack(record_, node.chosen);
    pack(record_, static_cast<std::uint8_t>(node.can_continue));
    note(record_);
  }
  return node.chosen;
}

void DfsStrategy::load(std::string_view state) {
  if (!state.empty()) throw Error("dfs: a saved search state that dfs did not write");
}

void DfsStrategy::replay(std::string_view journal, bool) {
  begin_run(0);
  path_.clear();
  BasicByteReader<> in(journal, "dfs: a search's journal");
  while (!in.done()) {
    Node node{in.get<std::uint32_t>(), in.get<std::uint32_t>(), in.get<std::uint8_t>() != 0, preemptions_};
    if (node.n < 2 || node.chosen >= node.n) throw Error("dfs: a search's journal holds a decision it cannot have made");
    if (node.can_continue && node.chosen != 0) ++preemptions_;
    path_.push_back(node);
  }
  pos_ = path_.size();
}

std::size_t DfsStrategy::pick_goroutine(const Runnable& options) { return choose(options.size(), options.current() != 0); }

std::size_t DfsStrategy::pick(Decision, std::size_t n) { return choose(n, false); }

bool DfsStrategy::advance() {
  if (!counts()) exhausted_ = true;
  if (exhausted_) return false;
  // Decisions past where this run stopped belong to no schedule any more.
  path_.resize(pos_);
  while (!path_.empty()) {
    Node& node = path_.back();
    const std::uint32_t next = next_option(node, path_.size() - 1, node.chosen + 1);
    if (next < node.n) {
      node.chosen = next;
      return true;
    }
    path_.pop_back();
  }
  exhausted_ = true;
  return false;
}

}  // namespace gorewind
