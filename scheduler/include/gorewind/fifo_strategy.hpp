// fifo_strategy.hpp
#pragma once

#include <gorewind/strategy.hpp>

namespace gorewind {

// FifoStrategy behaves like Go's run queue on one processor: the running
// goroutine goes on until it blocks or yields, then the goroutine that became
// runnable first runs. Select takes the first ready case in call order and
// simultaneous timers fire in the order they were set. The seed is ignored,
// so every run of a program is the same: the strategy for pinned event lists.
class FifoStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "fifo"; }
  void begin_run(std::uint64_t) override {}
  std::size_t pick_goroutine(const Runnable&) override { return 0; }
  std::size_t pick(Decision, std::size_t) override { return 0; }
  bool keeps_running() const override { return true; }
};

}  // namespace gorewind
