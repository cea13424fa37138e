// profiles.cpp: the block and mutex profiles are the log's wait rows
// (EventLogReader::block_waits, mutex_waits); the goroutine profile groups
// the log state at a seq.
#include "profiles.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <gorewind/replay/log_state.hpp>

#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

// rows() are a wait profile's rows as cells: the four sums, then the keys.
std::vector<std::vector<Cell>> rows(const std::vector<storage::WaitRow>& waits) {
  std::vector<std::vector<Cell>> out;
  for (const storage::WaitRow& w : waits) {
    std::vector<Cell> row{w.vtime_ns, w.events, w.waits, w.open};
    for (const std::string& key : w.keys) row.emplace_back(key);
    out.push_back(std::move(row));
  }
  return out;
}

Profile goroutine_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Goroutine, at, {"count", "state", "site", "goroutines"}, {}};
  const RuntimeState state = replay::log_state_at(log, run.id, at);
  const ObjectNames names = object_names(log, run.id);
  std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> groups;
  for (const GoroutineInfo& g : state.goroutines)
    groups[{status_text(g, names), goroutine_site(g)}].push_back(g.gid);
  for (auto& [key, gids] : groups)
    p.rows.push_back({static_cast<std::int64_t>(gids.size()), key.first, key.second, std::move(gids)});
  std::stable_sort(p.rows.begin(), p.rows.end(), [](const auto& a, const auto& b) {
    return std::get<std::int64_t>(a[0]) > std::get<std::int64_t>(b[0]);
  });
  return p;
}

}  // namespace

std::vector<std::string> wait_columns(ProfileKind kind) {
  std::vector<std::string> columns{"vtime_ns", "events", "waits", "open"};
  if (kind == ProfileKind::Mutex) columns.insert(columns.end(), {"lock", "state", "site", "released_at"});
  else columns.insert(columns.end(), {"state", "object", "site"});
  return columns;
}

std::vector<storage::WaitRow> wait_rows(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind,
                                        std::uint64_t at, storage::WaitGrouping grouping) {
  return kind == ProfileKind::Mutex ? log.mutex_waits(run.id, at, grouping) : log.block_waits(run.id, at, grouping);
}

Profile profile(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind, std::uint64_t at) {
  switch (kind) {
    case ProfileKind::Block:
    case ProfileKind::Mutex:
      return {kind, at, wait_columns(kind), rows(wait_rows(log, run, kind, at, storage::WaitGrouping::ByKeys))};
    case ProfileKind::Goroutine: return goroutine_profile(log, run, at);
  }
  return {};
}

}  // namespace gorewind::cli
