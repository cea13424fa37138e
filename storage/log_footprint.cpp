#include <gorewind/storage/log_footprint.hpp>

#include <chrono>
#include <filesystem>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/schema.hpp>

namespace gorewind::storage {
namespace {

std::int64_t table_bytes(Database& db, const std::string& where) {
  return db.query_int("SELECT sum(pgsize) FROM dbstat WHERE " + where).value_or(0);
}

}  // namespace

LogFootprint log_footprint(const std::string& path) {
  Database db = open_log(path, Database::Mode::ExistingOnly);
  // The events: their rows (before version 8), or their chunks, the
  // chunks' key and the runs' site numbers.
  return LogFootprint{table_bytes(db, "name IN ('events', 'event_chunks', 'run_sites') OR name LIKE "
                                      "'sqlite_autoindex_event_chunks%'"),
                      table_bytes(db, "name LIKE '%snapshots%'"),
                      db.query_int("SELECT count(*) FROM snapshots").value_or(0)};
}

double insert_ceiling(const std::string& path, std::uint64_t rows, bool without_rowid) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  // A table of the events table's columns, keyed (run, seq) WITHOUT ROWID
  // as version 7 stored events, or a plain rowid table.
  Database db = open_log(path, Database::Mode::CreateIfMissing);
  Statement names = db.prepare("SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('events')");
  names.step();
  const std::string columns(names.column_text(0));
  db.exec(without_rowid ? "CREATE TABLE plain (" + columns + ", PRIMARY KEY (run, seq)) WITHOUT ROWID"
                        : "CREATE TABLE plain (" + columns + ")");
  Statement ins = db.prepare(std::string("INSERT INTO plain") +
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                             "?18, ?19)");
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t seq = 1; seq <= rows;) {
    db.exec("BEGIN IMMEDIATE");
    for (int k = 0; k < 8192 && seq <= rows; ++k, ++seq) {
      ins.bind_int(1, 1);
      ins.bind_int(2, static_cast<std::int64_t>(seq));
      ins.bind_int(3, 0);
      ins.bind_int(4, 2 + seq % 2);
      ins.bind_int(5, 3 + seq % 7);
      ins.bind_int(6, 1);
      ins.bind_int(7, 2 + seq % 2);
      ins.bind_int(8, seq % 3);
      ins.bind_int(9, 0);
      ins.bind_int(10, 1);
      ins.bind_int(13, static_cast<std::int64_t>(seq % 5 ? 0 : seq - 3));
      ins.bind_int(14, 0);
      ins.bind_int(15, 0);
      if (seq % 5 == 0) ins.bind_int(16, static_cast<std::int64_t>(seq / 5));
      ins.bind_int(19, 1 + seq % 4);
      ins.step();
      ins.reset();
    }
    db.exec("COMMIT");
  }
  return static_cast<double>(rows) / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace gorewind::storage
