// profiles.cpp: the block and mutex profiles are one SQL query each over the
// events table (a window pairs each park with its goroutine's next wake); the
// goroutine profile groups the log state at a seq.
#include "profiles.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>

#include <gorewind/replay/log_state.hpp>

#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

std::string code(EventKind k) { return std::to_string(static_cast<int>(k)); }
std::string code(WaitReason r) { return std::to_string(static_cast<int>(r)); }

// waits_cte() pairs each park up to ?2 with the next park or wake of its
// goroutine: its wake, or nothing when it is still blocked at ?2.
std::string waits_cte() {
  return "WITH pw AS (SELECT kind, gid, seq, vtime, reason, obj, site, LEAD(seq) OVER w AS until_seq, "
         "LEAD(vtime) OVER w AS until_vtime, LEAD(cause) OVER w AS until_cause FROM events "
         "WHERE run = ?1 AND seq <= ?2 AND kind IN (" + code(EventKind::Park) + ", " + code(EventKind::Wake) +
         ") WINDOW w AS (PARTITION BY gid ORDER BY seq)) ";
}

// The sums every wait profile shows: ?3 is the virtual time at ?2.
constexpr std::string_view kSums =
    "sum(coalesce(pw.until_vtime, ?3) - pw.vtime) AS vtime_ns, sum(coalesce(pw.until_seq, ?2) - pw.seq) AS events, "
    "count(*) AS waits, sum(pw.until_seq IS NULL) AS open";

std::int64_t vtime_at(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq) {
  storage::Statement st = log.database().prepare("SELECT vtime FROM events WHERE run = ?1 AND seq = ?2");
  st.bind_int(1, run);
  st.bind_int(2, static_cast<std::int64_t>(seq));
  return st.step() ? st.column_int(0) : 0;
}

// wait_rows() runs a profile query whose first four columns are kSums and
// the rest texts.
std::vector<std::vector<Cell>> wait_rows(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at,
                                         const std::string& sql, int texts) {
  storage::Statement st = log.database().prepare(sql);
  st.bind_int(1, run.id);
  st.bind_int(2, static_cast<std::int64_t>(at));
  st.bind_int(3, vtime_at(log, run.id, at));
  std::vector<std::vector<Cell>> rows;
  while (st.step()) {
    std::vector<Cell> row;
    for (int i = 0; i < 4; ++i) row.emplace_back(st.column_int(i));
    for (int i = 0; i < texts; ++i) row.emplace_back(std::string(st.column_text(4 + i)));
    rows.push_back(std::move(row));
  }
  return rows;
}

Profile block_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Block, at, {"vtime_ns", "events", "waits", "open", "state", "object", "site"}, {}};
  p.rows = wait_rows(log, run, at,
                     waits_cte() + "SELECT " + std::string(kSums) +
                         ", wr.name, coalesce(o.name, ''), coalesce(s.file || ':' || s.line, '') FROM pw "
                         "JOIN wait_reasons wr ON wr.id = pw.reason "
                         "LEFT JOIN objects o ON o.run = ?1 AND o.id = pw.obj AND pw.obj != 0 "
                         "LEFT JOIN sites s ON s.id = pw.site WHERE pw.kind = " + code(EventKind::Park) +
                         " GROUP BY pw.reason, pw.obj, pw.site ORDER BY 1 DESC, 2 DESC, pw.reason, pw.obj, 7",
                     3);
  return p;
}

Profile mutex_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Mutex, at, {"vtime_ns", "events", "waits", "open", "lock", "state", "site", "released_at"}, {}};
  p.rows = wait_rows(log, run, at,
                     waits_cte() + "SELECT " + std::string(kSums) +
                         ", coalesce(o.name, ''), wr.name, coalesce(s.file || ':' || s.line, ''), "
                         "coalesce(rs.file || ':' || rs.line, '') FROM pw "
                         "JOIN wait_reasons wr ON wr.id = pw.reason "
                         "LEFT JOIN objects o ON o.run = ?1 AND o.id = pw.obj "
                         "LEFT JOIN sites s ON s.id = pw.site "
                         "LEFT JOIN events r ON r.run = ?1 AND r.seq = pw.until_cause AND pw.until_cause != 0 "
                         "LEFT JOIN sites rs ON rs.id = r.site WHERE pw.kind = " + code(EventKind::Park) +
                         " AND pw.reason IN (" + code(WaitReason::Mutex) + ", " + code(WaitReason::RWMutexRead) +
                         ", " + code(WaitReason::RWMutexWrite) +
                         ") GROUP BY pw.obj, pw.reason, pw.site, r.site "
                         "ORDER BY 1 DESC, 2 DESC, pw.obj, pw.reason, 7, 8",
                     4);
  return p;
}

Profile goroutine_profile(storage::EventLogReader& log, const storage::RunRow& run, std::uint64_t at) {
  Profile p{ProfileKind::Goroutine, at, {"count", "state", "site", "goroutines"}, {}};
  const RuntimeState state = replay::log_state_at(log, run.id, at);
  const ObjectNames names = object_names(log, run.id);
  std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> groups;
  for (const GoroutineInfo& g : state.goroutines)
    groups[{status_text(g, names), g.site.empty() ? std::string("(not started)") : g.site}].push_back(g.gid);
  for (auto& [key, gids] : groups)
    p.rows.push_back({static_cast<std::int64_t>(gids.size()), key.first, key.second, std::move(gids)});
  std::stable_sort(p.rows.begin(), p.rows.end(), [](const auto& a, const auto& b) {
    return std::get<std::int64_t>(a[0]) > std::get<std::int64_t>(b[0]);
  });
  return p;
}

}  // namespace

Profile profile(storage::EventLogReader& log, const storage::RunRow& run, ProfileKind kind, std::uint64_t at) {
  switch (kind) {
    case ProfileKind::Block: return block_profile(log, run, at);
    case ProfileKind::Mutex: return mutex_profile(log, run, at);
    case ProfileKind::Goroutine: return goroutine_profile(log, run, at);
  }
  return {};
}

}  // namespace gorewind::cli
