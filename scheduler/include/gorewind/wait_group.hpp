// wait_group.hpp: sync.WaitGroup.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include <gorewind/detail/wait_queue.hpp>
#include <gorewind/event.hpp>

namespace gorewind {

// WaitGroup is Go's sync.WaitGroup: wait() blocks until the counter is zero.
// add(), done() and wait() are scheduling points, so an add() in the
// goroutine it counts can run before or after a wait() elsewhere, as in Go.
// A negative counter panics ("sync: negative WaitGroup counter"); so does a
// waiter woken by the counter reaching zero that finds it non-zero again
// when it resumes ("sync: WaitGroup is reused before previous Wait has
// returned"), at its wait().
class WaitGroup {
 public:
  explicit WaitGroup(std::string_view name = {}) : name_(name) {}
  ~WaitGroup();
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(std::int64_t delta, std::source_location loc = std::source_location::current());
  void done(std::source_location loc = std::source_location::current()) { add(-1, loc); }
  void wait(std::source_location loc = std::source_location::current());
  std::int64_t counter() const { return counter_; }
  const std::string& name() const { return name_; }

 private:
  friend struct detail::StateAccess;
  std::uint32_t id(const std::source_location& loc);
  std::string name_;
  std::uint64_t generation_ = 0;
  std::uint32_t id_ = 0;
  std::int64_t counter_ = 0;
  detail::WaitQueue waiters_;
};

}  // namespace gorewind
