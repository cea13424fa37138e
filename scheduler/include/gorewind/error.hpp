// error.hpp: the library's exception types.
#pragma once

#include <source_location>
#include <stdexcept>
#include <memory>
#include <string>

#include <gorewind/site.hpp>

namespace gorewind {

// Error is a misuse of the library or bad input (an unknown strategy, a
// runtime call outside a run, a malformed parameter). The CLI turns it into
// one line on stderr and exit code 2.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
struct PanicToken;
}

// Panic is a Go panic: thrown by gr::panic() and by runtime panics (send on a
// closed channel, ...). A goroutine that catches it has recovered, as Go's
// recover() in a deferred function would: once the last copy of a panic
// raised in a run is gone without having escaped its goroutine, the run
// records a Recover event. One that escapes a goroutine ends the run with
// outcome panic.
class Panic : public std::exception {
 public:
  Panic(std::string message, const std::source_location& where);
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const { return message_; }
  // site() is where the panic was raised.
  const Site& site() const { return site_; }

 private:
  friend struct detail::PanicToken;
  std::string message_;
  Site site_;
  std::shared_ptr<detail::PanicToken> token_;  // shared by copies; null outside a run
};

// panic() raises a Panic with this message.
[[noreturn]] void panic(std::string message, std::source_location loc = std::source_location::current());

// check() ends the run with outcome check_failed when cond is false. Unlike a
// panic it cannot be recovered: it is the test's assertion.
void check(bool cond, std::string_view message, std::source_location loc = std::source_location::current());

}  // namespace gorewind
