// profiles.cpp: the block and mutex profiles are the log's wait rows
// (EventLogReader::block_waits, mutex_waits); the goroutine profile groups
// the log state at a seq.
#include "profiles.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include <gorewind/replay/log_state.hpp>

#include "outcome_report.hpp"
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

Profile heap_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Heap, at, heap_columns(), {}};
  const std::vector<storage::HeapSite> sites = log.heap_sites(run.id);
  std::map<Gid, std::string> names = goroutine_names(log, run.id);
  // Call sites that read alike (the runtime's, a line with several calls)
  // are one row per goroutine, as pprof sums equal stacks.
  std::map<std::tuple<Gid, std::string, std::string>, std::size_t> row_of;
  for (const storage::HeapRow& r : log.heap_rows(run.id, at)) {
    const storage::HeapSite& site = sites.at(r.site - 1);
    const auto [it, added] =
        row_of.try_emplace({r.gid, heap_site_text(site), site.frames.front().function}, p.rows.size());
    if (added) {
      p.rows.push_back({std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::int64_t{r.gid},
                        names[r.gid], std::get<1>(it->first), std::get<2>(it->first)});
    }
    std::vector<Cell>& row = p.rows[it->second];
    for (const auto& [column, value] :
         {std::pair{0, r.inuse_bytes}, {1, r.inuse_objects}, {2, r.alloc_bytes}, {3, r.alloc_objects}})
      std::get<std::int64_t>(row[column]) += value;
  }
  std::stable_sort(p.rows.begin(), p.rows.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<std::int64_t>(a[0]), std::get<std::int64_t>(a[2])) >
           std::tie(std::get<std::int64_t>(b[0]), std::get<std::int64_t>(b[2]));
  });
  return p;
}

Profile sched_latency_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  // The histogram's buckets: zero, then under each bound.
  constexpr std::int64_t kBounds[] = {1, 1'000'000, 10'000'000, 100'000'000};
  Profile p{ProfileKind::SchedLatency,
            at,
            {"count", "total_ns", "max_ns", "p50_ns", "p99_ns", "zero", "under_1ms", "under_10ms", "under_100ms",
             "at_least_100ms", "p", "site"},
            {}};
  std::map<std::pair<std::int32_t, std::string>, std::vector<std::int64_t>> groups;
  for (storage::LatencyRow& r : log.sched_latencies(run.id, at))
    groups[{r.p, r.site.empty() ? "main" : std::move(r.site)}].push_back(r.latency_ns);
  for (auto& [key, latencies] : groups) {
    std::sort(latencies.begin(), latencies.end());
    const auto n = static_cast<std::int64_t>(latencies.size());
    // Nearest rank: the smallest latency at least q of them do not exceed.
    const auto rank = [&](std::int64_t q) { return latencies[static_cast<std::size_t>((n * q + 99) / 100 - 1)]; };
    std::int64_t total = 0;
    std::int64_t buckets[std::size(kBounds) + 1] = {};
    for (const std::int64_t l : latencies) {
      total += l;
      ++buckets[std::upper_bound(std::begin(kBounds), std::end(kBounds), l) - std::begin(kBounds)];
    }
    std::vector<Cell> row{n, total, latencies.back(), rank(50), rank(99)};
    for (const std::int64_t b : buckets) row.emplace_back(b);
    row.emplace_back(key.first < 0 ? std::string("-") : "P" + std::to_string(key.first));
    row.emplace_back(key.second);
    p.rows.push_back(std::move(row));
  }
  std::stable_sort(p.rows.begin(), p.rows.end(), [](const auto& a, const auto& b) {
    return std::get<std::int64_t>(a[1]) > std::get<std::int64_t>(b[1]);
  });
  return p;
}

}  // namespace

std::string heap_site_text(const storage::HeapSite& site) {
  const Frame& f = site.frames.front();
  return f.file.empty() ? f.function : f.file + ":" + std::to_string(f.line);
}

std::map<Gid, std::string> goroutine_names(storage::EventLogReader& log, std::int64_t run) {
  std::map<Gid, std::string> names;
  for (const storage::GoroutineRow& g : log.goroutines(run)) names[g.gid] = g.name;
  return names;
}

std::vector<std::string> heap_columns() {
  return {"inuse_space", "inuse_objects", "alloc_space", "alloc_objects", "goroutine", "name", "site", "function"};
}

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

std::optional<ProfileKind> profile_kind(std::string_view name) {
  for (ProfileKind k : {ProfileKind::Block, ProfileKind::Mutex, ProfileKind::Goroutine, ProfileKind::Heap,
                        ProfileKind::SchedLatency})
    if (to_string(k) == name) return k;
  return std::nullopt;
}

std::string_view to_string(ProfileKind kind) {
  switch (kind) {
    case ProfileKind::Block: return "block";
    case ProfileKind::Mutex: return "mutex";
    case ProfileKind::Goroutine: return "goroutine";
    case ProfileKind::Heap: return "heap";
    case ProfileKind::SchedLatency: return "schedlatency";
  }
  return "?";
}

Profile profile(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind, std::uint64_t at) {
  switch (kind) {
    case ProfileKind::Block:
    case ProfileKind::Mutex:
      return {kind, at, wait_columns(kind), rows(wait_rows(log, run, kind, at, storage::WaitGrouping::ByKeys))};
    case ProfileKind::Goroutine: return goroutine_profile(log, run, at);
    case ProfileKind::Heap: return heap_profile(log, run, at);
    case ProfileKind::SchedLatency: return sched_latency_profile(log, run, at);
  }
  return {};
}

std::string profile_json(const storage::RunRow& run, const Profile& p) {
  auto cell_json = [](const Cell& c) {
    if (const auto* n = std::get_if<std::int64_t>(&c)) return std::to_string(*n);
    if (const auto* s = std::get_if<std::string>(&c)) return json_string(*s);
    std::string out = "[";
    for (std::int64_t g : std::get<std::vector<std::int64_t>>(c)) out += (out.size() > 1 ? "," : "") + std::to_string(g);
    return out + "]";
  };
  std::string out = "{\"run\":" + std::to_string(run.id) + ",\"scenario\":" + json_string(run.scenario) +
                    ",\"kind\":" + json_string(to_string(p.kind)) + ",\"at\":" + std::to_string(p.at) + ",\"rows\":[";
  for (std::size_t r = 0; r < p.rows.size(); ++r) {
    out += r ? ",{" : "{";
    for (std::size_t i = 0; i < p.columns.size(); ++i)
      out += (i ? "," : "") + json_string(p.columns[i]) + ":" + cell_json(p.rows[r][i]);
    out += "}";
  }
  return out + "]}";
}

}  // namespace gorewind::cli
