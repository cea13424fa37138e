// catch2.hpp: gorewind::explore inside a Catch2 TEST_CASE. Header-only;
// include it only in tests built with Catch2 (v2's <catch2/catch.hpp> or
// v3's <catch2/catch_test_macros.hpp>, whichever is installed).
//
//   TEST_CASE("the config is never read half-published") {
//     gr::ExploreOptions o;
//     o.strategy = "pct";
//     GOREWIND_REQUIRE_NO_FAILURE(gr::catch2::explore(load_and_serve, o));
//   }
//
// With options.isolate the search runs in a supervised worker process
// (record::explore_supervised): a schedule that segfaults, aborts or spins
// past options.run.timeout (10 s when 0) fails the test case with its seed
// instead of killing the test binary. Link with gorewind::record.
//
// A failing search fails the test with what it found and the command that
// runs the failing schedule alone, in this same test:
//
//   explored 23 schedules (portfolio): 1 failure; first: seed 23, check_failed: ...
//   replay: GOREWIND_SEED=23 build/my_tests 'the config is never read half-published'
#pragma once

#include <errno.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_macros.hpp>
#include <catch2/interfaces/catch_interfaces_capture.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <gorewind/decimal.hpp>
#include <gorewind/explore.hpp>
#include <gorewind/record/supervised_explore.hpp>

namespace gorewind::catch2 {

// kSeedVariable names the environment variable that narrows every
// catch2::explore() of a seeded search (any strategy but dfs) to the one
// seed it holds.
inline constexpr const char* kSeedVariable = "GOREWIND_SEED";

// explore() is gorewind::explore(fn, options), except that when
// GOREWIND_SEED=N is set a seeded search runs only seed N, exactly as the
// whole search runs it (pct and portfolio keep the run length measured at
// options.seed_start). A dfs search ignores the variable: its failures
// replay through ScriptedStrategy(failure.schedule). Throws
// std::invalid_argument for a GOREWIND_SEED that is not a decimal seed.
inline ExploreResult explore(const std::function<void()>& fn, ExploreOptions options = {}) {
  const double timeout = options.run.timeout > 0 ? options.run.timeout : 10;
  const auto search = [&] {
    if (!options.isolate) return gorewind::explore(fn, options);
    record::SupervisedExplore s;
    s.explore = options;
    s.explore.run.timeout = 0;  // the supervisor keeps it, spins included
    s.timeout = timeout;
    return record::as_explore_result(record::explore_supervised(fn, s), options.strategy);
  };
  const char* text = std::getenv(kSeedVariable);
  if (text == nullptr || is_systematic(options.strategy)) return search();
  const std::optional<std::uint64_t> seed = parse_decimal(text);
  if (!seed) throw std::invalid_argument(std::string(kSeedVariable) + "='" + text + "' is not a seed");
  if (measures_run_length(options.strategy) && options.pct_steps == 0)
    options.pct_steps = options.isolate ? record::measure_pct_steps_supervised(fn, options, timeout)
                                        : measure_pct_steps(fn, options);
  options.seed_start = *seed;
  options.runs = 1;
  options.seconds = 0;
  options.shard_index = 0;
  options.shard_count = 1;
  return search();
}

// shell_word() is s quoted for a POSIX shell when it needs it.
inline std::string shell_word(std::string_view s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string_view::npos)
    return std::string(s);
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// test_spec() is the Catch2 command-line test spec matching exactly the test
// named name, quoted for a POSIX shell.
inline std::string test_spec(std::string_view name) {
  std::string spec;
  for (char c : name) {
    // Catch2 reads these as separators, tags, wildcards and escapes.
    if (c == '\\' || c == ',' || c == '[' || c == ']' || c == '*') spec += '\\';
    spec += c;
  }
  return shell_word(spec);
}

// failure_message() is what a failing search reports: r.summary() and, for
// a seeded search, the command that runs its first failing seed
// again: program (argv[0]) with GOREWIND_SEED and the spec of test_name.
inline std::string failure_message(const ExploreResult& r, std::string_view program, std::string_view test_name) {
  std::string message = r.summary();
  if (r.ok() || is_systematic(r.strategy)) return message;
  return message + "\nreplay: " + kSeedVariable + "=" + std::to_string(r.failures.front().seed) + " " +
         shell_word(program) + " " + test_spec(test_name);
}

// failure_message() for the test running now, in this program.
inline std::string failure_message(const ExploreResult& r) {
  return failure_message(r, program_invocation_name, Catch::getResultCapture().getCurrentTestName());
}

}  // namespace gorewind::catch2

// GOREWIND_REQUIRE_NO_FAILURE(result) fails the running test, as REQUIRE
// does, when the ExploreResult found a failing schedule; the message is
// catch2::failure_message(result).
#define GOREWIND_REQUIRE_NO_FAILURE(...)                                                         \
  do {                                                                                           \
    const ::gorewind::ExploreResult& gorewind_explored_ = (__VA_ARGS__);                         \
    if (!gorewind_explored_.ok()) FAIL(::gorewind::catch2::failure_message(gorewind_explored_)); \
  } while (false)
