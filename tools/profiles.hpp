// profiles.hpp: where a recorded run spent its time waiting, as Go's pprof
// profiles show a program, computed over the log:
// - block: virtual time and events blocked per wait reason, object and
//   site, from each park to the wake that ended it (the log's wait rows);
// - mutex: the same for Mutex and RWMutex waits, per lock, waiting site
//   and the site of the unlock that woke the waiter (Go charges a mutex's
//   delay to that unlock);
// - goroutine: the goroutines alive at a seq grouped by state and site, as
//   Go's goroutine profile groups identical stacks (the log state there);
// - heap: of a run recorded with --heap, per goroutine and allocating call
//   site, Go's four sample types at a seq: the bytes and blocks still in
//   use, and all those allocated up to it;
// - schedlatency: how long goroutines waited to run once runnable (the
//   sched_latency view), as a histogram per P and creation site, with its
//   count, total, maximum, median and 99th percentile.
// A wait still open at the seq profiled counts up to that seq.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gorewind::cli {

// ProfileKind is which profile.
enum class ProfileKind { Block, Mutex, Goroutine, Heap, SchedLatency };

// profile_kind() is the kind a name names ("block", "goroutine", "heap",
// "mutex", "schedlatency"); none for another name.
std::optional<ProfileKind> profile_kind(std::string_view name);

// to_string() is kind's name, as profile_kind() reads it.
std::string_view to_string(ProfileKind kind);

// Cell is one value of a profile row: a number, a text, or goroutine ids.
using Cell = std::variant<std::int64_t, std::string, std::vector<std::int64_t>>;

// Profile is a table: columns named as the JSON keys are (a column named
// *_ns holds virtual nanoseconds), rows heaviest first, ties in a fixed order.
struct Profile {
  ProfileKind kind = ProfileKind::Block;
  std::uint64_t at = 0;  // the seq profiled up to (block, mutex) or at (goroutine)
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

// wait_columns() are the columns of a block or mutex profile's rows: the
// four sums (vtime_ns, events, waits, open), then the keys of its groups.
std::vector<std::string> wait_columns(ProfileKind kind);

// wait_rows() are kind's rows up to seq at: the log's waits summed by their
// keys, or each wait on its own (its park_seq and gid say which).
std::vector<storage::WaitRow> wait_rows(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind,
                                        std::uint64_t at, storage::WaitGrouping grouping);

// heap_site_text() is where a heap site allocates, as the heap profile's
// site column says it: the call's "file:line", or its function when the
// line tables do not say.
std::string heap_site_text(const storage::HeapSite& site);

// goroutine_names() are run's goroutines' names by gid, those that have
// exited too (a heap profile's rows name them).
std::map<Gid, std::string> goroutine_names(storage::EventLogReader& log, std::int64_t run);

// heap_columns() are the columns of a heap profile's rows.
std::vector<std::string> heap_columns();

// profile() computes kind over run up to (or at) seq at, which must not
// lie beyond the run's events. A heap profile of a run recorded without
// --heap has no rows.
Profile profile(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind, std::uint64_t at);

// profile_json() is p, a profile of run, as one JSON object without a
// newline: {run, scenario, kind, at, rows [{column: value}]}; goroutine ids
// as an array of numbers.
std::string profile_json(const storage::RunRow& run, const Profile& p);

}  // namespace gorewind::cli
