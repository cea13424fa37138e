// outcome_report.hpp: a finished run as text (the way Go prints a failing
// program) and as JSON.
//
// The text report of a failed run starts as Go's would:
//
//   panic: close of closed channel
//
//   goroutine 1 [running]:
//   main
//   	scenarios/close_twice.cpp:12
//
// a deadlock as `fatal error: all goroutines are asleep - deadlock!` followed
// by every blocked goroutine with its wait reason, what it waits on and where,
// then the wait-for graph (for a leak too); a data race as
// `WARNING: DATA RACE on CELL` with both accesses.
// Every report ends with one summary line: outcome, scenario, seed, strategy,
// events, virtual time, goroutines and trace hash.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/outcome.hpp>

namespace gorewind::cli {

// RunReport is a finished run as the CLI shows it: the runtime's result and
// what the command knows besides.
struct RunReport {
  const RunResult& result;
  std::string scenario;
  std::map<std::string, std::string> params;
  std::string trace_hash;  // TraceHasher::hex()
  std::string reproduce;   // a command line that runs the same schedule; empty: none
};

// write_text() prints the report of r (nothing but the summary for an ok run;
// the failure, the reproducing command, then the summary otherwise).
void write_text(std::ostream& out, const RunReport& r);

// summary_line() is the last line of the text report, without a newline:
// `deadlock  chan_deadlock  seed=1 strategy=random events=9 vtime=0s goroutines=2 trace=...`
std::string summary_line(const RunReport& r);

// to_json() is r as one JSON object on one line, without a newline. Keys:
// scenario, params, seed, strategy, outcome, message, goroutine {id, name}
// (id 0: none), site {file, line, function} (empty file: none or the
// runtime), blocked [{id, name, state, waiting_on, site}], races [{cell,
// later, earlier}] with each access {goroutine {id, name}, access ("load" or
// "store"), site, seq}, wait_for (see wait_for_json() in wait_for_report.hpp),
// events, vtime_ns, goroutines, trace_hash, stack_guard
// (gorewind::stack_guard_mode()).
std::string to_json(const RunReport& r);

// json_string() is s as a quoted JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD.
std::string json_string(std::string_view s);

// frames_json() is frames as a JSON array, in their order:
// [{function, file, line}].
std::string frames_json(const std::vector<Frame>& frames);

// json_with() is the JSON object object with one more key, key, whose
// value is the JSON text value, as its last.
std::string json_with(std::string object, std::string_view key, const std::string& value);

// json_site() appends s to out as {"file", "line", "function"}.
void json_site(std::string& out, const Site& s);

// json_params() appends a scenario's parameters to out as one JSON object,
// each key a parameter's name and its value a string.
void json_params(std::string& out, const std::map<std::string, std::string>& params);

// format_duration() spells a duration as Go's time.Duration.String() does:
// "0s", "250ms", "1.5µs", "1m30s", "2h0m0s".
std::string format_duration(std::int64_t ns);

}  // namespace gorewind::cli
