// explore_findings.hpp: what a supervised search leaves in the log. Its
// failures are grouped by what went wrong where, one group per outcome and
// site, and the lowest seed of each group is recorded as a run, so that it
// can be shown, replayed and debugged.
//
//   record::SupervisedExploreResult found = record::explore_supervised(body, search);
//   std::vector<record::FailureGroup> groups = record::record_findings(body, search, found, "gorewind.db");
//   // groups[0].run_id: the lowest failing seed of the first group, recorded
//
// Every recording runs in a supervised child, as record_supervised() does:
// call it before this process has a thread or a database connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gorewind/outcome.hpp>
#include <gorewind/record/supervised_explore.hpp>
#include <gorewind/site.hpp>

namespace gorewind::record {

// FailureGroup is the failing schedules of a search that ended with the same
// outcome at the same site, as recorded.
struct FailureGroup {
  Outcome outcome = Outcome::Ok;
  Site site;  // empty: no site (the runtime's, or a death outside the user's code)
  std::string message;      // the lowest seed's
  std::uint64_t count = 0;  // failing schedules in the group, at least 1
  std::uint64_t seed = 0;   // the lowest: a seed (random, pct) or a schedule's number in the search (dfs)
  // run_id is the lowest seed's run in the log; 0 when it could not be
  // recorded: a dfs schedule that killed its worker with more decisions
  // than the worker's tape keeps has no seed to run again.
  std::int64_t run_id = 0;
};

// record_findings() groups the failures of found, the result of the search,
// by outcome and site and records the lowest seed of each group into the
// log at db_path; the others are counted, not recorded (a search that
// keeps going can fail thousands of times the same way). A schedule is recorded
// by its decisions (a ScriptedStrategy of them), so the run in the log is
// the schedule that failed; a death whose decisions were too many to keep
// is recorded by its seed under search.explore's strategy (random, pct),
// which runs into the same death. Each recording is a child with
// search.timeout. A group's outcome and site are those of its recording,
// which for a death holds what the worker could not report; groups that
// the search told apart and whose recordings say the same are merged.
// Returns the groups ordered by outcome name, then by site as
// Site::to_string() spells it, the group without a site first. Throws
// storage::StorageError when the log cannot take a run, Error when a child
// cannot be started.
std::vector<FailureGroup> record_findings(const std::function<void()>& fn, const SupervisedExplore& search,
                                          const SupervisedExploreResult& found, const std::string& db_path);

}  // namespace gorewind::record
