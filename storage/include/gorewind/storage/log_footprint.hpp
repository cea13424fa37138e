// log_footprint.hpp: what a log costs, for bench/: the bytes its tables
// take on disk, and SQLite's own ceiling for a row per event, as the
// writer stored events before schema version 8.
#pragma once

#include <cstdint>
#include <string>

namespace gorewind::storage {

// LogFootprint is the space a log's events and snapshots take.
struct LogFootprint {
  std::int64_t events_bytes = 0;     // the events table and its key
  std::int64_t snapshots_bytes = 0;  // the snapshots table and its indexes
  std::int64_t snapshots = 0;        // how many snapshots the log holds
};

// log_footprint() measures the existing log at path (SQLite's dbstat).
// Throws StorageError as EventLogReader() does.
LogFootprint log_footprint(const std::string& path);

// insert_ceiling() creates a log at path (removing what is there) and
// inserts a row per event, as logs of version 7 and before stored them,
// into a table of the events table's columns keyed (run, seq) WITHOUT
// ROWID as theirs was, or into a plain rowid table: rows shaped like
// ping_pong's events as fast as SQLite takes them, prepared statement, one
// transaction per 8192 rows, WAL. Returns rows per second.
double insert_ceiling(const std::string& path, std::uint64_t rows, bool without_rowid);

}  // namespace gorewind::storage
