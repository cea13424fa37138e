// gorewind_sqlite.cpp: a loadable extension for the sqlite3 shell that
// registers the events table (events_table.hpp), so that a log of schema
// version 8 on answers queries over events and event_log there as in
// gorewind:
//
//   sqlite3 -cmd '.load build/gorewind_sqlite' gorewind.db "SELECT ..."
#include "../events_table.hpp"
#include "../sqlite_api.hpp"

SQLITE_EXTENSION_INIT1

// sqlite3_gorewindsqlite_init() is the entry point SQLite derives from the
// file's name.
extern "C" int sqlite3_gorewindsqlite_init(sqlite3* db, char**, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  return gorewind::storage::register_events_table(db);
}
