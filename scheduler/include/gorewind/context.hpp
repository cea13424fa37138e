// context.hpp: Go's context package: cancellation that flows from a parent
// to everything derived from it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <utility>

#include <gorewind/channel.hpp>
#include <gorewind/time.hpp>

namespace gorewind {

namespace detail {
struct ContextState;
}

// Context is a handle to a context (copies share it). done() is closed when
// it is cancelled, by its cancel function, its deadline or its parent's
// cancellation; err() then says why. Cancelling a context cancels its
// children, in the order they were made, before it returns.
class Context {
 public:
  // background() is the root: never cancelled, no deadline, done() is nil.
  static Context background();

  // done() is a channel closed when the context is cancelled.
  chan<bool> done() const;
  // err() is "" while it is live, then "context canceled" or
  // "context deadline exceeded".
  std::string err() const;
  // deadline() is when it will be cancelled by time, if ever.
  std::optional<Time> deadline() const;

 private:
  friend struct detail::ContextState;
  explicit Context(std::shared_ptr<detail::ContextState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::ContextState> state_;
};

// CancelFunc cancels its context ("context canceled"); later calls do
// nothing. The cancellation is logged at the site that calls it, not where
// the context was made, so the log says who cancelled.
class CancelFunc {
 public:
  CancelFunc() = default;
  explicit CancelFunc(std::function<void(const std::source_location&)> cancel) : cancel_(std::move(cancel)) {}
  void operator()(std::source_location loc = std::source_location::current()) const {
    if (cancel_) cancel_(loc);
  }

 private:
  std::function<void(const std::source_location&)> cancel_;
};

// with_cancel() derives a context that its CancelFunc cancels.
std::pair<Context, CancelFunc> with_cancel(const Context& parent,
                                           std::source_location loc = std::source_location::current());
// with_deadline() derives a context also cancelled at t ("context deadline
// exceeded"); a parent's earlier deadline wins, as in Go.
std::pair<Context, CancelFunc> with_deadline(const Context& parent, Time t,
                                             std::source_location loc = std::source_location::current());
// with_timeout() is with_deadline(parent, now() + d).
std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration d,
                                            std::source_location loc = std::source_location::current());

}  // namespace gorewind
