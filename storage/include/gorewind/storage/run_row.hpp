// run_row.hpp: a run as the runs table describes it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <gorewind/event.hpp>
#include <gorewind/race.hpp>
#include <gorewind/site.hpp>

namespace gorewind::storage {

// RunState is how far a run's recording got.
enum class RunState : std::uint8_t {
  Recording,   // its writer is alive and still writing
  Complete,    // every event and the outcome are stored
  Incomplete,  // its writer died mid-run: the events stored are a prefix of the run
};
std::string_view to_string(RunState s);

// RunRow is one row of the runs table. The outcome fields are empty until
// the run is complete.
struct RunRow {
  std::int64_t id = 0;
  std::string scenario;
  std::map<std::string, std::string> params;
  std::uint64_t seed = 0;
  std::string strategy;
  std::string build;    // the recording binary's fingerprint
  std::string program;  // the recording executable's name; empty: recorded before schema 3
  std::string started_at;
  std::string finished_at;
  RunState state = RunState::Recording;
  std::string outcome;
  std::string message;
  Gid failed_gid = 0;
  Site failed_site;
  std::uint64_t events = 0;  // complete: the run's events; otherwise those stored so far
  std::int64_t vtime_ns = 0;
  std::string trace_hash;
  std::string hash_algorithm;  // how trace_hash and the chunk digests were made (TraceHasher::kAlgorithm)
  RaceMode race_mode = RaceMode::Off;  // what the race detector did (off: recorded before it existed)
  bool heap = false;                   // recorded with --heap: its allocations were counted
  unsigned procs = 0;                  // run on Go's scheduler with this GOMAXPROCS (0: gorewind's own model)
  std::int64_t cpu_cost_ns = 0;        // each event's virtual CPU cost to its P
};

// beyond_run() is the sentence for a seq past run's last event ("seq S is
// beyond run N, which has M events"), which every reader of a position says
// alike.
std::string beyond_run(const RunRow& run, std::uint64_t seq);

}  // namespace gorewind::storage
