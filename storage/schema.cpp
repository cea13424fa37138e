// schema.cpp: the tables of the event log and the migrations between their
// versions. migrations[v] takes a file from version v to v + 1; a new version
// appends a step and never edits an old one.
#include <gorewind/storage/schema.hpp>

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include <sqlite3.h>

#include <gorewind/event.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "event_rows_to_chunks.hpp"
#include "events_table.hpp"

namespace gorewind::storage {
namespace {

// Version 1. Integers are Event's own codes; the lookup tables (event_kinds,
// object_kinds, wait_reasons) and the views give them names for people.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  scenario TEXT NOT NULL,
  seed INTEGER NOT NULL,         -- a seed above 2^63-1 is stored as its 64-bit two's complement
  strategy TEXT NOT NULL,
  build TEXT NOT NULL,           -- fingerprint of the recording binary
  started_at TEXT NOT NULL,      -- UTC, ISO 8601
  finished_at TEXT,
  state TEXT NOT NULL,           -- recording | complete (a crashed writer reads as incomplete)
  outcome TEXT,                  -- ok, panic, deadlock, leak, check_failed, step_limit, timeout
  message TEXT,
  failed_gid INTEGER,            -- the goroutine the outcome names (0: none)
  failed_site INTEGER REFERENCES sites(id),
  events INTEGER NOT NULL DEFAULT 0,
  vtime INTEGER,                 -- virtual time at the end, ns
  trace_hash TEXT,               -- TraceHasher's digest, 16 hex digits
  writer_pid INTEGER NOT NULL,   -- the recording process and its start time (clock ticks after
  writer_start INTEGER NOT NULL  -- boot), to tell a live writer from a dead one with a reused pid
);
CREATE TABLE run_params (       -- the --param KEY=VALUE of each run
  run INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run, key)
) WITHOUT ROWID;
CREATE TABLE sites (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL,            -- relative to the source tree
  line INTEGER NOT NULL,
  function TEXT NOT NULL,
  UNIQUE (file, line, function)
);
CREATE TABLE event_kinds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE object_kinds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE wait_reasons (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE goroutines (
  run INTEGER NOT NULL,
  gid INTEGER NOT NULL,
  name TEXT NOT NULL,
  parent INTEGER NOT NULL,       -- 0 for main
  path TEXT NOT NULL,            -- spawn path: "1" for main, then parent's path "." spawn index
  created_seq INTEGER NOT NULL,
  site INTEGER,
  PRIMARY KEY (run, gid)
) WITHOUT ROWID;
CREATE TABLE objects (           -- channels, mutexes, WaitGroups, timers, ... made in a run
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  kind INTEGER NOT NULL,         -- object_kinds.id
  name TEXT NOT NULL,
  capacity INTEGER NOT NULL,     -- channels: buffer size; timers: deadline, ns
  elem_type TEXT,                -- channels: the element type
  created_seq INTEGER NOT NULL,
  site INTEGER,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;
CREATE TABLE events (
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  vtime INTEGER NOT NULL,        -- virtual time, ns
  gid INTEGER NOT NULL,
  kind INTEGER NOT NULL,         -- event_kinds.id
  obj_kind INTEGER NOT NULL,     -- object_kinds.id
  obj INTEGER NOT NULL,          -- objects.id (0: none)
  peer INTEGER NOT NULL,
  reason INTEGER NOT NULL,       -- wait_reasons.id (park)
  ok INTEGER NOT NULL,
  select_case INTEGER,           -- NULL: none
  ready TEXT,                    -- select: the ready cases; park: +chan receive, -chan send
  cause INTEGER NOT NULL,        -- seq of the causing event (0: none)
  amount INTEGER NOT NULL,
  counter INTEGER NOT NULL,
  value,                         -- INTEGER, REAL or TEXT for a plain int, float or string; BLOB (cereal) otherwise
  type_name TEXT,
  text TEXT,
  site INTEGER,                  -- sites.id (NULL: the runtime)
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;
CREATE TABLE chunk_digests (     -- FNV-1a as trace_hash, restarted every chunk of 4096 events
  run INTEGER NOT NULL,
  chunk INTEGER NOT NULL,        -- 0, 1, ...: events chunk*4096+1 .. (chunk+1)*4096
  digest TEXT NOT NULL,
  PRIMARY KEY (run, chunk)
) WITHOUT ROWID;
CREATE TABLE snapshots (
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,          -- the state right after this event
  state BLOB NOT NULL,           -- RuntimeState, cereal portable binary
  PRIMARY KEY (run, seq)
);
CREATE VIEW channels AS
  SELECT run, id AS cid, name, capacity, elem_type, created_seq FROM objects WHERE kind = 1;
CREATE VIEW event_log AS
  SELECT e.run, e.seq, e.vtime, e.gid, g.name AS goroutine, k.name AS kind,
         ok.name AS obj_kind, e.obj, o.name AS object, e.peer, p.name AS peer_name,
         w.name AS reason, e.ok, e.select_case, e.ready, e.cause, e.amount, e.counter,
         e.value, e.type_name, e.text, s.file, s.line, s.function
  FROM events e
  JOIN event_kinds k ON k.id = e.kind
  JOIN object_kinds ok ON ok.id = e.obj_kind
  JOIN wait_reasons w ON w.id = e.reason
  LEFT JOIN goroutines g ON g.run = e.run AND g.gid = e.gid
  LEFT JOIN goroutines p ON p.run = e.run AND p.gid = e.peer AND e.peer != 0
  LEFT JOIN objects o ON o.run = e.run AND o.id = e.obj AND e.obj != 0
  LEFT JOIN sites s ON s.id = e.site;
)sql";

// The name tables list every code of the vocabulary, generated from the
// scheduler's own to_string() so they cannot drift apart.
template <class Enum>
std::string name_rows(std::string_view table, Enum last) {
  std::string sql;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    std::string name(to_string(static_cast<Enum>(i)));
    sql += "INSERT INTO " + std::string(table) + " VALUES (" + std::to_string(i) + ", '" + name + "');\n";
  }
  return sql;
}

void migrate_0_to_1(Database& db) {
  db.exec(kSchemaV1);
  db.exec(name_rows("event_kinds", EventKind::Trace));
  db.exec(name_rows("object_kinds", ObjKind::Shared));
  db.exec(name_rows("wait_reasons", WaitReason::Once));
}

// Version 2: each run's decisions, so a run can be replayed exactly (and a
// schedule minimized) without the strategy that made it.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE schedules (         -- the run's decisions (std::vector<Choice>), in chunks
  run INTEGER NOT NULL,
  chunk INTEGER NOT NULL,        -- 0, 1, ...: decisions chunk*65536 .. (chunk+1)*65536-1
  choices INTEGER NOT NULL,      -- how many decisions this chunk holds
  data BLOB NOT NULL,            -- per decision: its kind (1 byte), options and chosen as LEB128 varints
  PRIMARY KEY (run, chunk)       -- a rowid table: its rows are large blobs
);
)sql";

void migrate_1_to_2(Database& db) { db.exec(kSchemaV2); }

// Version 3: the program that recorded each run, so that a binary without the
// run's scenario can name the one to re-run it with. Runs recorded before
// keep NULL: their program is unknown.
constexpr std::string_view kSchemaV3 = R"sql(
ALTER TABLE runs ADD COLUMN program TEXT;  -- the recording executable's name (argv[0] without its directory)
)sql";

void migrate_2_to_3(Database& db) { db.exec(kSchemaV3); }

// Version 4: the race detector. Each run's RaceMode, which replay needs (runs
// recorded before had none: 'off'), and the race event kind.
void migrate_3_to_4(Database& db) {
  db.exec("ALTER TABLE runs ADD COLUMN race_mode TEXT NOT NULL DEFAULT 'off'");
  db.exec("INSERT INTO event_kinds VALUES (" + std::to_string(static_cast<int>(EventKind::Race)) + ", '" +
          std::string(to_string(EventKind::Race)) + "')");
}

// Version 5: the crash event kind, the last event of a run whose process
// died under a supervisor, so that the events view shows it.
void migrate_4_to_5(Database& db) {
  db.exec("INSERT OR IGNORE INTO event_kinds VALUES (" + std::to_string(static_cast<int>(EventKind::Crash)) + ", '" +
          std::string(to_string(EventKind::Crash)) + "')");
}

// Version 6: what the program printed, kept with the run as evidence (the
// last lines before a crash above all). A supervised recording reads the
// program's stdout and stderr and stores them chunk by chunk. (IF NOT
// EXISTS, as version 5 inserts OR IGNORE: a file whose version number was
// set back by hand keeps the newer tables.)
constexpr std::string_view kOutputTable = R"sql(
CREATE TABLE IF NOT EXISTS output (  -- what the program printed to stdout and stderr
  run INTEGER NOT NULL,
  chunk INTEGER NOT NULL,        -- 0, 1, ...: the order the supervisor read them in
  seq INTEGER NOT NULL,          -- printed before event seq+1 (0: before the first event); see README
  stream TEXT NOT NULL,          -- stdout | stderr
  bytes BLOB NOT NULL,           -- as printed; a line may go on in the next chunk
  PRIMARY KEY (run, chunk)
) WITHOUT ROWID;
)sql";

void migrate_5_to_6(Database& db) { db.exec(kOutputTable); }

// Version 7: the algorithm of each run's trace hash and chunk digests.
// Digests of two algorithms do not compare, so diff must know; every run
// recorded before was hashed with FNV-1a.
constexpr std::string_view kFnv1a = "fnv1a";
void migrate_6_to_7(Database& db) {
  db.exec("ALTER TABLE runs ADD COLUMN hash_algorithm TEXT NOT NULL DEFAULT '" + std::string(kFnv1a) + "'");
}

// Version 8: events stored a few thousand to a row (event_chunks), which
// SQLite takes many times faster than a row per event, and read back as
// rows by the events virtual table (events_table.hpp) under the old name
// and columns, so queries over events and event_log read as before. Each
// run numbers its sites in run_sites, so the chunks hold small numbers and
// merge renumbers a run's sites without opening its chunks.
constexpr std::string_view kSchemaV8 = R"sql(
CREATE TABLE event_chunks (      -- read them as rows through the events table (docs/log.md)
  run INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,    -- the chunk holds events first_seq .. last_seq, at most 4096,
  last_seq INTEGER NOT NULL,     -- all in one chunk digest's
  checksum INTEGER NOT NULL,     -- XXH3-64 of data, checked on every read
  data BLOB NOT NULL,            -- the events, encoded (storage/event_chunk.hpp)
  PRIMARY KEY (run, last_seq)    -- a rowid table: its rows are large blobs
);
CREATE TABLE run_sites (         -- the sites of a run's events under the run's own numbers
  run INTEGER NOT NULL,
  number INTEGER NOT NULL,       -- 1, 2, ... in order of first use
  site INTEGER NOT NULL,         -- sites.id
  PRIMARY KEY (run, number)
) WITHOUT ROWID;
)sql";

void migrate_7_to_8(Database& db) {
  db.exec(kSchemaV8);
  // The rows as chunk_event_rows() reads them: with the fields events has
  // gained since, as a run of version 7 has them.
  Statement rows = db.prepare("SELECT " + std::string(kVersion7Columns) + " FROM main.events ORDER BY run, seq");
  chunk_event_rows(db, rows, {});
  db.exec("DROP TABLE main.events");
}

// Version 9: what a run recorded with --heap allocated. heap holds, per
// event, what each goroutine's allocations at each call site did since
// the event before; the heap profile at a seq is their sum up to it.
// heap_sites names each call site by its frames (the call, then the
// functions it was inlined into).
constexpr std::string_view kSchemaV9 = R"sql(
ALTER TABLE runs ADD COLUMN heap INTEGER NOT NULL DEFAULT 0;  -- 1: recorded with --heap
CREATE TABLE heap (              -- allocation counts of runs recorded with --heap
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,          -- made after event seq - 1 and by event seq
  gid INTEGER NOT NULL,          -- the goroutine that allocated
  heap_site INTEGER NOT NULL,    -- heap_sites.heap_site: where
  alloc_objects INTEGER NOT NULL,
  alloc_bytes INTEGER NOT NULL,
  free_objects INTEGER NOT NULL, -- blocks of this goroutine and site freed, by anyone
  free_bytes INTEGER NOT NULL,
  PRIMARY KEY (run, seq, gid, heap_site)
) WITHOUT ROWID;
CREATE TABLE heap_sites (        -- the allocating call sites of a run, numbered in order of first use
  run INTEGER NOT NULL,
  heap_site INTEGER NOT NULL,
  depth INTEGER NOT NULL,        -- 0: the call itself; 1, 2, ...: the functions it was inlined into
  site INTEGER NOT NULL,         -- sites.id
  PRIMARY KEY (run, heap_site, depth)
) WITHOUT ROWID;
)sql";

void migrate_8_to_9(Database& db) { db.exec(kSchemaV9); }

// Version 10: the runs that ran on Go's scheduler (RunOptions::procs and
// cpu_cost_ns), which a replay runs on it again, and the syscall wait reason.
constexpr std::string_view kSchemaV10 = R"sql(
ALTER TABLE runs ADD COLUMN procs INTEGER NOT NULL DEFAULT 0;     -- GOMAXPROCS simulated (--procs); 0: gorewind's own model
ALTER TABLE runs ADD COLUMN cpu_cost INTEGER NOT NULL DEFAULT 0;  -- ns of virtual CPU each event cost its P (--cpu-cost)
)sql";

void migrate_9_to_10(Database& db) {
  db.exec(kSchemaV10);
  db.exec("INSERT OR IGNORE INTO wait_reasons VALUES (" + std::to_string(static_cast<int>(WaitReason::Syscall)) +
          ", '" + std::string(to_string(WaitReason::Syscall)) + "')");
}

// Version 11: the P and the M of each event (Event::p, Event::m) under Go's
// scheduler, which the events table shows as columns p and m (NULL in
// gorewind's own model and in runs recorded before); event_log shows them
// too. And the preempt event kind.
constexpr std::string_view kEventLogV11 = R"sql(
VIEW event_log AS
  SELECT e.run, e.seq, e.vtime, e.gid, g.name AS goroutine, k.name AS kind,
         ok.name AS obj_kind, e.obj, o.name AS object, e.peer, p.name AS peer_name,
         w.name AS reason, e.ok, e.select_case, e.ready, e.cause, e.amount, e.counter,
         e.value, e.type_name, e.text, s.file, s.line, s.function, e.p, e.m
  FROM events e
  JOIN event_kinds k ON k.id = e.kind
  JOIN object_kinds ok ON ok.id = e.obj_kind
  JOIN wait_reasons w ON w.id = e.reason
  LEFT JOIN goroutines g ON g.run = e.run AND g.gid = e.gid
  LEFT JOIN goroutines p ON p.run = e.run AND p.gid = e.peer AND e.peer != 0
  LEFT JOIN objects o ON o.run = e.run AND o.id = e.obj AND e.obj != 0
  LEFT JOIN sites s ON s.id = e.site;
)sql";

// sched_latency: each time a goroutine waited to run, from the event that
// made it runnable (a spawn, a wake, a yield, a preemption) to the switch
// that ran it, on the P (and M) of that switch; with the goroutine's
// creation site. Under Go's scheduler every take from a run queue is a
// switch, so the event before a goroutine's switch tells whether it was
// runnable until then.
constexpr std::string_view kSchedLatencyV11 = R"sql(
VIEW sched_latency AS
  SELECT l.run, l.gid, g.name AS goroutine, l.became, l.runnable_seq, l.seq, l.p, l.m,
         l.vtime - l.runnable_vtime AS latency_ns, s.file, s.line
  FROM (SELECT e.run, e.seq, e.vtime, e.p, e.m, k.name AS kind, e.who AS gid,
               LAG(k.name) OVER w AS became, LAG(e.seq) OVER w AS runnable_seq,
               LAG(e.vtime) OVER w AS runnable_vtime
        FROM (SELECT *, CASE WHEN kind = (SELECT id FROM event_kinds WHERE name = 'spawn') THEN peer ELSE gid END
                 AS who FROM events) e
        JOIN event_kinds k ON k.id = e.kind
        WINDOW w AS (PARTITION BY e.run, e.who ORDER BY e.seq)) l
  JOIN goroutines g ON g.run = l.run AND g.gid = l.gid
  LEFT JOIN sites s ON s.id = g.site
  WHERE l.gid != 0 AND l.kind = 'switch' AND l.became IN ('spawn', 'wake', 'yield', 'preempt');
)sql";

void migrate_10_to_11(Database& db) {
  db.exec("DROP VIEW IF EXISTS main.event_log");
  db.exec("DROP VIEW IF EXISTS main.sched_latency");
  db.exec("CREATE " + std::string(kEventLogV11));
  db.exec("CREATE " + std::string(kSchedLatencyV11));
  db.exec("INSERT OR IGNORE INTO event_kinds VALUES (" + std::to_string(static_cast<int>(EventKind::Preempt)) +
          ", '" + std::string(to_string(EventKind::Preempt)) + "')");
}

using Migration = void (*)(Database&);
constexpr std::array<Migration, kSchemaVersion> kMigrations{migrate_0_to_1, migrate_1_to_2, migrate_2_to_3,
                                                             migrate_3_to_4, migrate_4_to_5, migrate_5_to_6,
                                                             migrate_6_to_7, migrate_7_to_8, migrate_8_to_9,
                                                             migrate_9_to_10, migrate_10_to_11};

int user_version(Database& db) {
  try {
    return static_cast<int>(db.query_int("PRAGMA user_version").value_or(0));
  } catch (const StorageError& e) {
    throw StorageError("'" + db.path() + "' is not a gorewind event log (" + e.what() + ")");
  }
}

// Reads the version and checks the file is a log of ours, both in one read
// transaction: another process creating the log may commit in between.
int checked_version(Database& db) {
  db.exec("BEGIN");
  try {
    const int version = user_version(db);
    // A SQLite file of another program has user_version 0 and tables of its own.
    if (version == 0 && db.query_int("SELECT count(*) FROM sqlite_schema").value_or(0) != 0)
      throw StorageError("'" + db.path() + "' is an SQLite file but not a gorewind event log");
    if (version > kSchemaVersion)
      throw StorageError("'" + db.path() + "' has event log schema version " + std::to_string(version) +
                         ", newer than this build knows (" + std::to_string(kSchemaVersion) + "): use a newer gorewind");
    db.exec("COMMIT");
    return version;
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

// Switching a new file to WAL needs the file to itself, and SQLite answers
// "locked" at once instead of calling the busy handler while another process
// does the same; so wait here, as long as busy_timeout would.
void enable_wal(Database& db) {
  constexpr auto kPatience = std::chrono::seconds(10);
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  for (;;) {
    const int rc = sqlite3_exec(db.handle(), "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline)
      throw StorageError(db.path() + ": cannot switch to WAL: " + sqlite3_errmsg(db.handle()));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// add_read_compat() lets a reader read a log of an older version as if it
// were current, without migrating it: TEMP objects (kept in the
// connection's own temporary database, never in the file) stand in for
// what later versions added, and SQLite resolves an unqualified name to
// TEMP first. Runs of before version 2 have no schedules; of before
// version 3, no program (NULL); of before version 4, race_mode 'off'; of
// before version 6, no output; of before version 7, hash_algorithm 'fnv1a';
// of before version 9, no heap counts; of before version 10, procs and
// cpu_cost 0.
void add_read_compat(Database& db, int version) {
  if (version < 2)
    db.exec("CREATE TEMP TABLE schedules (run INTEGER NOT NULL, chunk INTEGER NOT NULL, choices INTEGER NOT NULL, "
            "data BLOB NOT NULL)");
  if (version < 6)
    db.exec("CREATE TEMP TABLE output (run INTEGER NOT NULL, chunk INTEGER NOT NULL, seq INTEGER NOT NULL, "
            "stream TEXT NOT NULL, bytes BLOB NOT NULL)");
  if (version < 9) {
    db.exec("CREATE TEMP TABLE heap (run INTEGER NOT NULL, seq INTEGER NOT NULL, gid INTEGER NOT NULL, "
            "heap_site INTEGER NOT NULL, alloc_objects INTEGER NOT NULL, alloc_bytes INTEGER NOT NULL, "
            "free_objects INTEGER NOT NULL, free_bytes INTEGER NOT NULL)");
    db.exec("CREATE TEMP TABLE heap_sites (run INTEGER NOT NULL, heap_site INTEGER NOT NULL, depth INTEGER NOT NULL, "
            "site INTEGER NOT NULL)");
  }
  if (version < 10) {
    db.exec(std::string("CREATE TEMP VIEW runs AS SELECT *, ") + (version < 3 ? "NULL AS program, " : "") +
            (version < 4 ? "'off' AS race_mode, " : "") +
            (version < 7 ? "'" + std::string(kFnv1a) + "' AS hash_algorithm, " : "") +
            (version < 9 ? "0 AS heap, " : "") + "0 AS procs, 0 AS cpu_cost FROM main.runs");
  }
  if (version < 8)
    db.exec("CREATE TEMP VIEW events AS SELECT " + std::string(kVersion7Columns) + " FROM main.events");
  if (version < 11) {
    db.exec("CREATE TEMP " + std::string(kEventLogV11));
    db.exec("CREATE TEMP " + std::string(kSchedLatencyV11));
  }
}

}  // namespace

Database open_log(const std::string& path, Database::Mode mode) {
  Database db(path, mode);
  if (register_events_table(db.handle()) != SQLITE_OK)
    throw StorageError("cannot open '" + path + "': " + sqlite3_errmsg(db.handle()));
  db.exec("PRAGMA busy_timeout = 10000");
  // The version is checked before anything is written, so that a file that
  // is not a log of ours (or of a newer schema) is left exactly as it was.
  int version = checked_version(db);
  if (mode != Database::Mode::CreateIfMissing && version == 0)
    throw StorageError("'" + path + "' holds no event log yet");
  if (mode == Database::Mode::ReadOnly) {
    add_read_compat(db, version);
    // Whatever a reader runs, even a query a user typed, cannot change the file.
    db.exec("PRAGMA query_only = 1");
    return db;
  }
  if (mode == Database::Mode::CreateIfMissing) enable_wal(db);
  if (version < kSchemaVersion) {
    // BEGIN IMMEDIATE takes the write lock first, so of two processes
    // creating the same new file one migrates and the other, once it has
    // the lock, sees the version already current.
    db.exec("BEGIN IMMEDIATE");
    try {
      for (version = user_version(db); version < kSchemaVersion; ++version) kMigrations[version](db);
      db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
  }
  // NORMAL in WAL mode: a commit survives the process being killed (only a
  // power loss may take the latest transactions, never the file's integrity).
  db.exec("PRAGMA synchronous = NORMAL");
  return db;
}

int log_version(const std::string& path) {
  return static_cast<int>(open_log(path, Database::Mode::ReadOnly).query_int("PRAGMA user_version").value_or(0));
}

}  // namespace gorewind::storage
