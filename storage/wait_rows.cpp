// wait_rows.cpp: the block and mutex profiles' rows, one query each over
// the events table: a window pairs each park with its goroutine's next wake.
#include <gorewind/storage/event_log_reader.hpp>

#include <string>
#include <string_view>

namespace gorewind::storage {
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

// The sums every wait profile shows (?3 is the virtual time at ?2), then
// the first wait's park and goroutine: with one min() in the query, SQLite
// takes a bare column (pw.gid) from the row that min() picked.
constexpr std::string_view kSums =
    "sum(coalesce(pw.until_vtime, ?3) - pw.vtime) AS vtime_ns, sum(coalesce(pw.until_seq, ?2) - pw.seq) AS events, "
    "count(*) AS waits, sum(pw.until_seq IS NULL) AS open, min(pw.seq), pw.gid";

// group_by() is a profile's GROUP BY: its keys, or each park on its own.
std::string group_by(WaitGrouping grouping, std::string_view keys) {
  return " GROUP BY " + std::string(grouping == WaitGrouping::ByKeys ? keys : "pw.seq");
}

}  // namespace

std::vector<WaitRow> EventLogReader::wait_rows(std::int64_t run_id, std::uint64_t at, const std::string& sql,
                                               int keys) {
  Statement vtime = db_.prepare("SELECT vtime FROM events WHERE run = ?1 AND seq = ?2");
  vtime.bind_int(1, run_id);
  vtime.bind_int(2, static_cast<std::int64_t>(at));
  const std::int64_t vtime_at = vtime.step() ? vtime.column_int(0) : 0;

  Statement st = db_.prepare(sql);
  st.bind_int(1, run_id);
  st.bind_int(2, static_cast<std::int64_t>(at));
  st.bind_int(3, vtime_at);
  std::vector<WaitRow> rows;
  while (st.step()) {
    WaitRow row{st.column_int(0), st.column_int(1), st.column_int(2), st.column_int(3), {},
                static_cast<std::uint64_t>(st.column_int(4)), static_cast<Gid>(st.column_int(5))};
    for (int i = 0; i < keys; ++i) row.keys.emplace_back(st.column_text(6 + i));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<WaitRow> EventLogReader::block_waits(std::int64_t run_id, std::uint64_t at, WaitGrouping grouping) {
  return wait_rows(run_id, at,
                   waits_cte() + "SELECT " + std::string(kSums) +
                       ", wr.name, coalesce(o.name, ''), coalesce(s.file || ':' || s.line, '') FROM pw "
                       "JOIN wait_reasons wr ON wr.id = pw.reason "
                       "LEFT JOIN objects o ON o.run = ?1 AND o.id = pw.obj AND pw.obj != 0 "
                       "LEFT JOIN sites s ON s.id = pw.site WHERE pw.kind = " + code(EventKind::Park) +
                       group_by(grouping, "pw.reason, pw.obj, pw.site") +
                       " ORDER BY 1 DESC, 2 DESC, pw.reason, pw.obj, 9, 5",
                   3);
}

std::vector<WaitRow> EventLogReader::mutex_waits(std::int64_t run_id, std::uint64_t at, WaitGrouping grouping) {
  return wait_rows(run_id, at,
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
                       ")" + group_by(grouping, "pw.obj, pw.reason, pw.site, r.site") +
                       " ORDER BY 1 DESC, 2 DESC, pw.obj, pw.reason, 9, 10, 5",
                   4);
}

}  // namespace gorewind::storage
