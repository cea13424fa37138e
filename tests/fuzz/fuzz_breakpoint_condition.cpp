// fuzz_breakpoint_condition.cpp: the condition typed after `break ... if`.
// It parses, or is a ConditionError; what parses becomes SQL that SQLite
// accepts as a WHERE clause over the events table, so nothing typed can
// break (or inject into) the reader's query.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include <gorewind/event.hpp>
#include <gorewind/storage/event_condition.hpp>

#include "event_query_sql.hpp"

namespace {

// events_table() is a table with the events table's columns: run, then
// the fields in for_each_field's order (vtime_ns as vtime).
sqlite3* events_table() {
  std::string columns = "run";
  const gorewind::Event e;
  gorewind::for_each_field(
      [&](std::string_view name, const auto&) { columns += ", " + std::string(name == "vtime_ns" ? "vtime" : name); },
      e);
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, ("CREATE TABLE events (" + columns + ")").c_str(), nullptr, nullptr, nullptr);
  return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sqlite3* const db = events_table();
  std::string sql;
  try {
    sql = gorewind::storage::condition_sql(
        gorewind::storage::EventCondition::parse(std::string_view(reinterpret_cast<const char*>(data), size)));
  } catch (const gorewind::storage::ConditionError&) {
    return 0;
  }
  const std::string query = "SELECT seq FROM events e WHERE e.run = 1 AND (" + sql + ")";
  sqlite3_stmt* st = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &st, &tail) != SQLITE_OK || *tail != '\0') __builtin_trap();
  sqlite3_finalize(st);
  return 0;
}
