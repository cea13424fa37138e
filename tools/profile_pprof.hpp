// profile_pprof.hpp: the profiles of profiles.hpp as pprof files, their
// stacks from re-executing the run (replay::CheckpointServer), not from
// the log, which records no stacks.
// - goroutine: one sample per goroutine alive at the seq, of Go's sample
//   type goroutine/count, its stack where the re-executed program stands
//   there, labelled with the goroutine's id, name, state and site, so that
//   summing the samples by state and site gives the text table's counts.
// - block, mutex: one sample per wait, of Go's sample types contentions/count
//   and delay/nanoseconds (virtual), its stack where the goroutine parked,
//   labelled with the goroutine, the text table's keys and whether the wait
//   is still open: summing by the keys gives the table's waits and time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <gorewind/record/symbolizer.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/process_state.hpp>
#include <gorewind/state.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/run_row.hpp>

#include "pprof_profile.hpp"
#include "profiles.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {

// StackTable numbers the distinct native stacks of a profile, each
// symbolized once (a long run's waits park at a few places, many times).
class StackTable {
 public:
  explicit StackTable(record::Symbolizer& symbols) : symbols_(symbols) {}
  // add() is stack's index in stacks(): its user frames, or one frame
  // named placeholder when it has none (a goroutine not started yet).
  std::size_t add(const NativeStack& stack, const std::string& placeholder);
  std::vector<std::vector<Frame>> take() { return std::move(stacks_); }

 private:
  record::Symbolizer& symbols_;
  std::map<std::vector<std::uintptr_t>, std::size_t> known_;
  std::map<std::string, std::size_t> placeholders_;
  std::vector<std::vector<Frame>> stacks_;
};

// snapshot_file_name() is the name of one file of a snapshot series:
// "<kind>_<virtual time, counted from the Unix epoch, as
// 20060102T150405.000000000Z>_seq<seq>.pb.gz".
std::string snapshot_file_name(const std::string& kind, std::int64_t vtime_ns, std::uint64_t seq);

// goroutine_pprof() is the goroutine profile of run at state's seq: the
// goroutines of state (the log's), with their stacks in process (the
// re-execution's at that seq). A goroutine that has not run yet has one
// frame, named by its goroutine_site(), "(not started)".
PprofProfile goroutine_pprof(const storage::RunRow& run, const RuntimeState& state, const ObjectNames& names,
                             const replay::ProcessState& process, record::Symbolizer& symbols);

// wait_pprof() is the block or mutex profile of run up to seq at (virtual
// time vtime_ns): waits as wait_rows() lists them each on its own, and
// stack_of[i] the index in stacks of where waits[i]'s goroutine parked.
PprofProfile wait_pprof(const storage::RunRow& run, ProfileKind kind, std::uint64_t at, std::int64_t vtime_ns,
                        const std::vector<storage::WaitRow>& waits, const std::vector<std::size_t>& stack_of,
                        StackTable& stacks);

// heap_pprof() is the heap profile of run at seq at (virtual time
// vtime_ns): one sample per row of rows (heap_rows()), of Go's sample types
// alloc_objects/count, alloc_space/bytes, inuse_objects/count and
// inuse_space/bytes, its stack the heap site's frames, labelled with the
// goroutine's id and name; names gives the goroutines' names by gid.
PprofProfile heap_pprof(const storage::RunRow& run, std::uint64_t at, std::int64_t vtime_ns,
                        const std::vector<storage::HeapRow>& rows, const std::vector<storage::HeapSite>& sites,
                        const std::map<Gid, std::string>& names);

// recorded_pprof() is kind's profile of run (in the log at db, open as
// log) at, or up to, seq at, which must not lie beyond the run. The stacks
// of a goroutine, block or mutex profile come from re-executing body, the
// run's scenario, in processes: to at for the goroutines; for the waits,
// one pass to at that hands over each park's stack. A heap profile's come
// from the log, so processes and body may be null for it. Not for
// schedlatency, which has no stacks. Throws what re-execution throws.
PprofProfile recorded_pprof(storage::EventLogReader& log, const std::string& db, const storage::RunRow& run,
                            ProfileKind kind, std::uint64_t at, replay::CheckpointServer* processes, void (*body)(),
                            record::Symbolizer& symbols);

}  // namespace gorewind::cli
