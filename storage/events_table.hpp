// events_table.hpp: the events table of a log of schema version 8 on, read
// from its event_chunks. Each connection registers an eponymous virtual
// table module named events (nothing of it is stored in the file, so plain
// sqlite3, .dump and VACUUM work on a log as on any SQLite file); its rows
// are those the events table of version 7 and before held, one per event,
// with the same columns and values. Its constraints on run and seq read
// only the chunks they need, and it yields rows in (run, seq) order, either
// way. Every chunk read is checked against its checksum: a damaged one
// fails the statement with SQLITE_CORRUPT and a message naming the run and
// the seqs. An UPDATE of an event's columns other than run and seq
// re-encodes its chunk; events are never inserted or deleted. In a log of
// before version 8 the stored events table hides it.
#pragma once

struct sqlite3;

namespace gorewind::storage {

// register_events_table() registers the events module on db. Returns
// SQLite's result code.
int register_events_table(sqlite3* db);

}  // namespace gorewind::storage
