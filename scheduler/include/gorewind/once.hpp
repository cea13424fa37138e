// once.hpp: sync.Once.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>

#include <gorewind/detail/runtime.hpp>
#include <gorewind/detail/wait_queue.hpp>
#include <gorewind/event.hpp>

namespace gorewind {

// Once is Go's sync.Once: call(fn) runs fn in the first goroutine that calls
// it (events OnceBegin, OnceEnd). Callers that arrive while fn runs block
// (WaitReason Once) until it returns, then return without running it;
// callers after that return at once. Every call is a scheduling point.
//
// If fn panics (throws), the Once still counts as done, as Go's does: the
// exception propagates to that caller (OnceEnd has ok=false) and no later
// call runs fn. A call of the same Once from inside fn deadlocks, as in Go.
class Once {
 public:
  explicit Once(std::string_view name = {}) : name_(name) {}
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // call() runs fn unless this Once has run (or is running) its function.
  template <class F>
  void call(F&& fn, std::source_location loc = std::source_location::current()) {
    if (!begin(loc)) return;
    try {
      std::forward<F>(fn)();
    } catch (const detail::GoroutineExit&) {
      throw;  // the run ended while fn ran: nothing more happens
    } catch (...) {
      end(false);
      throw;
    }
    end(true);
  }
  // done() says whether the function has returned (or panicked) in this run.
  bool done() const { return done_; }
  const std::string& name() const { return name_; }

 private:
  std::uint32_t id(const std::source_location& loc);
  // begin() returns true when the caller is the one to run the function;
  // otherwise it has waited, if needed, for the one that runs it.
  bool begin(const std::source_location& loc);
  // end() marks the Once done and releases the waiters.
  void end(bool ok);
  std::string name_;
  std::uint64_t generation_ = 0;
  std::uint32_t id_ = 0;
  bool done_ = false;
  bool running_ = false;
  std::source_location site_;  // where the running call was made
  detail::WaitQueue waiters_;
};

}  // namespace gorewind
