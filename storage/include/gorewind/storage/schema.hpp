// schema.hpp: the event log's tables, its version and how a file is brought
// up to date. The schema is a public interface (people query it with
// sqlite3; README.md documents it), so it changes only through a new version
// and a migration step from the one before.
#pragma once

#include <string>

#include <gorewind/storage/database.hpp>

namespace gorewind::storage {

// kSchemaVersion is the version this build writes, kept in PRAGMA
// user_version. 0 is a new empty file; 1 has no schedules table; 2 does not
// name the program that recorded each run; 3 has no race detector (no
// race_mode, no race events).
inline constexpr int kSchemaVersion = 4;

// open_log() opens an event log. A writer (Mode::CreateIfMissing) creates the
// file and the schema if missing and migrates an older schema; a reader
// (Mode::ExistingOnly) needs an existing log. Throws StorageError for a
// missing file (reader), a file that is not SQLite or not a gorewind log, and
// a schema newer than kSchemaVersion. Either way the connection has WAL
// journaling and a busy timeout, so writers and readers in several processes
// share the file.
Database open_log(const std::string& path, Database::Mode mode);

}  // namespace gorewind::storage
