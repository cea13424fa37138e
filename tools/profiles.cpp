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

Profile block_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Block, at, {"vtime_ns", "events", "waits", "open", "state", "object", "site"}, {}};
  p.rows = rows(log.block_waits(run.id, at));
  return p;
}

Profile mutex_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Mutex, at, {"vtime_ns", "events", "waits", "open", "lock", "state", "site", "released_at"}, {}};
  p.rows = rows(log.mutex_waits(run.id, at));
  return p;
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

std::string goroutine_site(const GoroutineInfo& g) { return g.site.empty() ? "(not started)" : g.site; }

Profile profile(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind, std::uint64_t at) {
  switch (kind) {
    case ProfileKind::Block: return block_profile(log, run, at);
    case ProfileKind::Mutex: return mutex_profile(log, run, at);
    case ProfileKind::Goroutine: return goroutine_profile(log, run, at);
  }
  return {};
}

}  // namespace gorewind::cli
