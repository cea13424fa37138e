// schema.hpp: the event log's tables, its version and how a file is brought
// up to date. The schema is a public interface (people query it with
// sqlite3; docs/log.md documents it), so it changes only through a new version
// and a migration step from the one before.
#pragma once

#include <string>

#include <gorewind/storage/database.hpp>

namespace gorewind::storage {

// kSchemaVersion is the version this build writes, kept in PRAGMA
// user_version. 0 is a new empty file; 1 has no schedules table; 2 does not
// name the program that recorded each run; 3 has no race detector (no
// race_mode, no race events); 4 has no crash event kind; 5 keeps no output
// of the program; 6 does not name the trace hash's algorithm (its runs'
// hashes are all FNV-1a, "fnv1a"); 7 stores a row per event in its events
// table, where 8 stores chunks of events (event_chunks) and reads them as
// that table's rows; 8 counts no allocations (heap); 9 does not keep
// whether a run ran on Go's scheduler (procs, cpu_cost).
inline constexpr int kSchemaVersion = 11;

// kChunkedEventsVersion is the first version that stores events in chunks.
inline constexpr int kChunkedEventsVersion = 8;

// open_log() opens an event log. A writer (Mode::CreateIfMissing) creates the
// file and the schema if missing and migrates an older schema; so does
// Mode::ExistingOnly, for an existing log. A reader (Mode::ReadOnly) needs
// an existing log, never writes to it (not even to migrate it: it reads an
// older schema as it is) and works on a read-only file or folder. Throws
// StorageError for a missing file (ReadOnly, ExistingOnly), a file that is
// not SQLite or not a gorewind log, and a schema newer than kSchemaVersion;
// such a file is left untouched. A writer's connection has WAL journaling,
// and every connection a busy timeout, so writers and readers in several
// processes share the file; every connection has the events table
// (events_table.hpp).
Database open_log(const std::string& path, Database::Mode mode);

// log_version() is the schema version of the existing log at path, read
// without changing it. Throws StorageError as open_log() does for a reader.
int log_version(const std::string& path);

}  // namespace gorewind::storage
