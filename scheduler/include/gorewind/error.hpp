// error.hpp: the library's exception types.
#pragma once

#include <source_location>
#include <stdexcept>
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

// Panic is a Go panic: thrown by gr::panic() and by runtime panics (send on a
// closed channel, ...). A goroutine that catches it has recovered, as Go's
// recover() in a deferred function would; one that escapes a goroutine ends
// the run with outcome panic.
class Panic : public std::exception {
 public:
  Panic(std::string message, const std::source_location& where)
      : message_(std::move(message)), site_(Site::from(where)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const { return message_; }
  // site() is where the panic was raised.
  const Site& site() const { return site_; }

 private:
  std::string message_;
  Site site_;
};

// panic() raises a Panic with this message.
[[noreturn]] void panic(std::string message, std::source_location loc = std::source_location::current());

// check() ends the run with outcome check_failed when cond is false. Unlike a
// panic it cannot be recovered: it is the test's assertion.
void check(bool cond, std::string_view message, std::source_location loc = std::source_location::current());

}  // namespace gorewind
