#include "events_table.hpp"

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "event_chunk.hpp"
#include "event_columns.hpp"
#include "sqlite_api.hpp"

namespace gorewind::storage {
namespace {

constexpr int kRunColumn = 0;
constexpr int kSeqColumn = 1;

// The columns are run, then the fields in for_each_field's order under
// their names (vtime_ns as vtime), typed as version 7's table typed them.
std::string table_schema() {
  std::string sql = "CREATE TABLE x(run INTEGER";
  const EventRecord e;
  for_each_field(
      [&](std::string_view name, const auto& v) {
        using T = std::decay_t<decltype(v)>;
        sql += ", ";
        sql += name == "vtime_ns" ? std::string_view("vtime") : name;
        if constexpr (std::is_same_v<T, RecordReady> || std::is_same_v<T, std::string_view>)
          sql += " TEXT";
        else if constexpr (!std::is_same_v<T, RecordValue>)
          sql += " INTEGER";
      },
      e);
  return sql + ")";
}

// idxNum's bits: which constraints xFilter gets, in this order, and the
// order of the rows.
enum Plan : int {
  kRunEq = 1,
  kSeqEq = 2,
  kSeqGt = 4,
  kSeqGe = 8,
  kSeqLt = 16,
  kSeqLe = 32,
  kDescending = 64,
};

struct Table : sqlite3_vtab {
  sqlite3* db = nullptr;
};

struct Cursor : sqlite3_vtab_cursor {
  // The chunks in a seq range, of every run or of one, ascending or
  // descending (filter()'s kSql), prepared when first needed.
  sqlite3_stmt* statements[4] = {nullptr, nullptr, nullptr, nullptr};
  sqlite3_stmt* sites = nullptr;   // a run's site numbers
  sqlite3_stmt* chunks = nullptr;  // the one of statements being stepped
  std::uint64_t from = 0, to = 0;  // the seq range
  bool descending = false;
  bool eof = true;

  // The chunk being read, decoded from data.
  std::int64_t run = 0;
  std::uint64_t first_seq = 0, last_seq = 0;
  std::int64_t checksum = 0;
  bool decoded = false;
  std::string data;
  DecodedChunk chunk;
  std::size_t at = 0;  // the current event's index in chunk

  std::int64_t sites_run = -1;        // whose sites site_ids holds
  std::vector<std::int64_t> site_ids;  // sites.id by the run's site number
  std::string text;                    // a ready list's column
};

Table* table_of(sqlite3_vtab_cursor* c) { return static_cast<Table*>(c->pVtab); }

int fail(sqlite3_vtab* vtab, int code, const std::string& message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", message.c_str());
  return code;
}

// prepare() readies *st to run again, preparing it the first time.
int prepare(sqlite3* db, const char* sql, sqlite3_stmt** st) {
  if (*st != nullptr) {
    sqlite3_reset(*st);  // its last run's failure, if any, was reported then
    return SQLITE_OK;
  }
  return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, nullptr);
}

int connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
  const int rc = sqlite3_declare_vtab(db, table_schema().c_str());
  if (rc != SQLITE_OK) return rc;
  // Reading has no side effects and an update changes only the event
  // updated: views in the file may use it.
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  auto* t = new (std::nothrow) Table();
  if (t == nullptr) return SQLITE_NOMEM;
  t->db = db;
  *out = t;
  return SQLITE_OK;
}

int disconnect(sqlite3_vtab* vtab) {
  delete static_cast<Table*>(vtab);
  return SQLITE_OK;
}

int best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  // Each usable constraint on run or seq narrows the chunks read; SQLite
  // still checks every one (omit stays 0), so a bound that is no integer
  // may be loosened here.
  int slot[6] = {-1, -1, -1, -1, -1, -1};  // by bit: the constraint used, or -1
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (!c.usable) continue;
    int bit = -1;
    if (c.iColumn == kRunColumn && c.op == SQLITE_INDEX_CONSTRAINT_EQ) bit = 0;
    if (c.iColumn == kSeqColumn) {
      switch (c.op) {
        case SQLITE_INDEX_CONSTRAINT_EQ: bit = 1; break;
        case SQLITE_INDEX_CONSTRAINT_GT: bit = 2; break;
        case SQLITE_INDEX_CONSTRAINT_GE: bit = 3; break;
        case SQLITE_INDEX_CONSTRAINT_LT: bit = 4; break;
        case SQLITE_INDEX_CONSTRAINT_LE: bit = 5; break;
        default: break;
      }
    }
    if (bit >= 0 && slot[bit] < 0) slot[bit] = i;
  }
  int plan = 0;
  int argv = 0;
  for (int bit = 0; bit < 6; ++bit) {
    if (slot[bit] < 0) continue;
    plan |= 1 << bit;
    info->aConstraintUsage[slot[bit]].argvIndex = ++argv;
  }
  // Rows come in (run, seq) order: ORDER BY seq is that order within one
  // run, ORDER BY run, seq always.
  bool consumed = false;
  if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == kSeqColumn && (plan & kRunEq)) {
    consumed = true;
    if (info->aOrderBy[0].desc) plan |= kDescending;
  } else if (info->nOrderBy == 2 && info->aOrderBy[0].iColumn == kRunColumn &&
             info->aOrderBy[1].iColumn == kSeqColumn && info->aOrderBy[0].desc == info->aOrderBy[1].desc) {
    consumed = true;
    if (info->aOrderBy[0].desc) plan |= kDescending;
  } else if (info->nOrderBy == 0) {
    consumed = true;
  }
  info->orderByConsumed = consumed ? 1 : 0;
  info->idxNum = plan;
  double rows = (plan & kRunEq) ? 1e5 : 1e7;
  if (plan & kSeqEq) rows = (plan & kRunEq) ? 1 : 1e3;
  else if (plan & (kSeqGt | kSeqGe | kSeqLt | kSeqLe)) rows /= 4;
  info->estimatedRows = static_cast<sqlite3_int64>(rows);
  info->estimatedCost = rows;
  if ((plan & kRunEq) && (plan & kSeqEq)) info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  return SQLITE_OK;
}

int open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* c = new (std::nothrow) Cursor();
  if (c == nullptr) return SQLITE_NOMEM;
  *out = c;
  return SQLITE_OK;
}

int close(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<Cursor*>(cur);
  for (sqlite3_stmt* st : c->statements) sqlite3_finalize(st);
  sqlite3_finalize(c->sites);
  delete c;
  return SQLITE_OK;
}

// load_sites() makes site_ids the run's.
int load_sites(Cursor* c, std::int64_t run) {
  if (c->sites_run == run) return SQLITE_OK;
  int rc = prepare(table_of(c)->db, "SELECT number, site FROM run_sites WHERE run = ?1", &c->sites);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(c->sites, 1, run);
  c->site_ids.clear();
  while ((rc = sqlite3_step(c->sites)) == SQLITE_ROW) {
    const sqlite3_int64 number = sqlite3_column_int64(c->sites, 0);
    if (number < 1 || number > (1 << 24)) continue;  // never written: no event names it
    const auto n = static_cast<std::size_t>(number);
    if (c->site_ids.size() <= n) c->site_ids.resize(n + 1, 0);
    c->site_ids[n] = sqlite3_column_int64(c->sites, 1);
  }
  sqlite3_reset(c->sites);
  if (rc != SQLITE_DONE) return rc;
  c->sites_run = run;
  return SQLITE_OK;
}

// next_chunk() moves to the first event in range of the next chunk that
// has one, or to the end.
int next_chunk(Cursor* c) {
  for (;;) {
    const int rc = sqlite3_step(c->chunks);
    if (rc == SQLITE_DONE) {
      c->eof = true;
      return SQLITE_OK;
    }
    if (rc != SQLITE_ROW) return rc;
    const std::int64_t run = sqlite3_column_int64(c->chunks, 0);
    const auto first = static_cast<std::uint64_t>(sqlite3_column_int64(c->chunks, 1));
    const auto last = static_cast<std::uint64_t>(sqlite3_column_int64(c->chunks, 2));
    const std::int64_t checksum = sqlite3_column_int64(c->chunks, 3);
    if (last < first || last - first >= kChunkEvents)
      return fail(c->pVtab, SQLITE_CORRUPT_VTAB,
                  "run " + std::to_string(run) + " has damaged events: a chunk claims seqs " + std::to_string(first) +
                      "-" + std::to_string(last));
    if (last < c->from || first > c->to) continue;
    // A join looks up one event after another: the chunk read last is
    // often the one wanted again.
    const bool same = c->decoded && run == c->run && first == c->first_seq && last == c->last_seq &&
                      checksum == c->checksum;
    if (!same) {
      c->decoded = false;
      const auto* p = static_cast<const char*>(sqlite3_column_blob(c->chunks, 4));
      c->data.assign(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(c->chunks, 4)));
      const std::string seqs = std::to_string(first) + "-" + std::to_string(last);
      if (chunk_checksum(c->data) != checksum)
        return fail(c->pVtab, SQLITE_CORRUPT_VTAB,
                    "run " + std::to_string(run) + " has damaged events: the chunk of seqs " + seqs +
                        " does not match its checksum");
      try {
        decode_chunk(c->data, first, last - first + 1, c->chunk);
      } catch (const std::exception& e) {
        return fail(c->pVtab, SQLITE_CORRUPT_VTAB,
                    "run " + std::to_string(run) + " has damaged events (seqs " + seqs + "): " + e.what());
      }
      c->run = run;
      c->first_seq = first;
      c->last_seq = last;
      c->checksum = checksum;
      c->decoded = true;
    }
    c->at = c->descending ? std::min(c->to, last) - first : std::max(c->from, first) - first;
    return SQLITE_OK;
  }
}

// integer_bound() is an argument as a seq bound: integers as they are,
// reals rounded outward (round_up for a lower bound); nullopt for anything
// else, which bounds nothing here (SQLite checks the constraint itself).
std::optional<std::int64_t> integer_bound(sqlite3_value* v, bool round_up) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: return sqlite3_value_int64(v);
    case SQLITE_FLOAT: {
      const double d = round_up ? std::ceil(sqlite3_value_double(v)) : std::floor(sqlite3_value_double(v));
      if (d <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
      if (d >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
      return static_cast<std::int64_t>(d);
    }
    default: return std::nullopt;
  }
}

int filter(sqlite3_vtab_cursor* cur, int plan, const char*, int argc, sqlite3_value** argv) {
  auto* c = static_cast<Cursor*>(cur);
  std::int64_t lo = 1, hi = std::numeric_limits<std::int64_t>::max();
  std::optional<std::int64_t> run;
  int arg = 0;
  for (int bit = 0; bit < 6 && arg < argc; ++bit) {
    if (!(plan & (1 << bit))) continue;
    sqlite3_value* v = argv[arg++];
    if (bit == 0) {
      run = sqlite3_value_int64(v);
      continue;
    }
    const bool lower = bit == 2 || bit == 3;
    const std::optional<std::int64_t> b = integer_bound(v, lower);
    if (!b) continue;
    if (bit == 1 || bit == 3) lo = std::max(lo, *b);
    if (bit == 1 || bit == 5) hi = std::min(hi, *b);
    if (bit == 2) lo = std::max(lo, *b == std::numeric_limits<std::int64_t>::max() ? *b : *b + 1);
    if (bit == 4) hi = std::min(hi, *b == std::numeric_limits<std::int64_t>::min() ? *b : *b - 1);
  }
  c->descending = plan & kDescending;
  c->eof = true;
  if (lo > hi) return SQLITE_OK;
  c->from = static_cast<std::uint64_t>(lo);
  c->to = static_cast<std::uint64_t>(hi);
  // A chunk holds fewer than kChunkEvents events, so one with an event at
  // or before hi ends before hi + kChunkEvents: the key bounds both ends.
  const std::int64_t last_bound =
      hi > std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(kChunkEvents)
          ? std::numeric_limits<std::int64_t>::max()
          : hi + static_cast<std::int64_t>(kChunkEvents);
  sqlite3* db = table_of(cur)->db;
  // Without a run (a person's query) the chunks of every run come in
  // (run, seq) order.
  static const char* const kSql[4] = {
      "SELECT run, first_seq, last_seq, checksum, data FROM event_chunks "
      "WHERE last_seq >= ?2 AND last_seq < ?3 ORDER BY run, last_seq",
      "SELECT run, first_seq, last_seq, checksum, data FROM event_chunks "
      "WHERE last_seq >= ?2 AND last_seq < ?3 ORDER BY run DESC, last_seq DESC",
      "SELECT run, first_seq, last_seq, checksum, data FROM event_chunks "
      "WHERE run = ?1 AND last_seq >= ?2 AND last_seq < ?3 ORDER BY last_seq",
      "SELECT run, first_seq, last_seq, checksum, data FROM event_chunks "
      "WHERE run = ?1 AND last_seq >= ?2 AND last_seq < ?3 ORDER BY last_seq DESC",
  };
  const int which = (run ? 2 : 0) | (c->descending ? 1 : 0);
  int rc = prepare(db, kSql[which], &c->statements[which]);
  c->chunks = c->statements[which];
  if (rc != SQLITE_OK) return fail(cur->pVtab, rc, sqlite3_errmsg(db));
  if (run) sqlite3_bind_int64(c->chunks, 1, *run);
  sqlite3_bind_int64(c->chunks, 2, lo);
  sqlite3_bind_int64(c->chunks, 3, last_bound);
  c->eof = false;
  rc = next_chunk(c);
  if (rc != SQLITE_OK && cur->pVtab->zErrMsg == nullptr) return fail(cur->pVtab, rc, sqlite3_errmsg(db));
  return rc;
}

int next(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<Cursor*>(cur);
  const std::uint64_t seq = c->first_seq + c->at;
  if (c->descending ? (c->at > 0 && seq - 1 >= c->from) : (c->at + 1 < c->chunk.events.size() && seq + 1 <= c->to)) {
    c->at += c->descending ? -1 : 1;
    return SQLITE_OK;
  }
  const int rc = next_chunk(c);
  if (rc != SQLITE_OK && cur->pVtab->zErrMsg == nullptr)
    return fail(cur->pVtab, rc, sqlite3_errmsg(table_of(cur)->db));
  return rc;
}

int eof(sqlite3_vtab_cursor* cur) { return static_cast<Cursor*>(cur)->eof ? 1 : 0; }

void result_text(sqlite3_context* ctx, std::string_view s) {
  if (s.empty())
    sqlite3_result_null(ctx);
  else
    sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

int column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  auto* c = static_cast<Cursor*>(cur);
  if (col == kRunColumn) {
    sqlite3_result_int64(ctx, c->run);
    return SQLITE_OK;
  }
  const EventRecord& e = c->chunk.events[c->at];
  int i = kRunColumn;
  int rc = SQLITE_OK;
  // The values version 7's writer bound: NULL for an empty string or
  // ready list, a select case below 0 and the runtime's site.
  for_each_field(
      [&](std::string_view, const auto& v) {
        if (++i != col) return;
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, RecordReady>) {
          c->text.clear();
          for (std::size_t k = 0; k < v.size(); ++k) {
            if (k) c->text += ' ';
            c->text += std::to_string(v[k]);
          }
          result_text(ctx, c->text);
        } else if constexpr (std::is_same_v<T, RecordValue>) {
          switch (v.form) {
            case ValueForm::None: sqlite3_result_null(ctx); break;
            case ValueForm::Int: sqlite3_result_int64(ctx, v.i); break;
            case ValueForm::Real: sqlite3_result_double(ctx, v.f); break;
            case ValueForm::Text:
              sqlite3_result_text(ctx, v.bytes.data(), static_cast<int>(v.bytes.size()), SQLITE_TRANSIENT);
              break;
            case ValueForm::Blob:
              sqlite3_result_blob(ctx, v.bytes.data(), static_cast<int>(v.bytes.size()), SQLITE_TRANSIENT);
              break;
          }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          result_text(ctx, v);
        } else if constexpr (std::is_same_v<T, SiteNumber>) {
          if (v.number == 0) {
            sqlite3_result_null(ctx);
            return;
          }
          if ((rc = load_sites(c, c->run)) != SQLITE_OK) return;
          if (v.number >= c->site_ids.size() || c->site_ids[v.number] == 0) {
            rc = fail(cur->pVtab, SQLITE_CORRUPT_VTAB,
                      "run " + std::to_string(c->run) + " has damaged events: seq " + std::to_string(e.seq) +
                          " names site number " + std::to_string(v.number) + ", which run_sites lacks");
            return;
          }
          sqlite3_result_int64(ctx, c->site_ids[v.number]);
        } else if constexpr (std::is_same_v<T, std::int32_t>) {
          if (v >= 0)
            sqlite3_result_int64(ctx, v);
          else
            sqlite3_result_null(ctx);
        } else {
          sqlite3_result_int64(ctx, static_cast<sqlite3_int64>(v));
        }
      },
      e);
  if (rc != SQLITE_OK) sqlite3_result_error(ctx, cur->pVtab->zErrMsg ? cur->pVtab->zErrMsg : "", -1);
  return rc;
}

// A row's rowid is its run and seq, for update() to find the event by.
constexpr int kSeqBits = 40;
constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << kSeqBits) - 1;

int rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* out) {
  const auto* c = static_cast<Cursor*>(cur);
  *out = static_cast<sqlite3_int64>((static_cast<std::uint64_t>(c->run) << kSeqBits) |
                                    ((c->first_seq + c->at) & kSeqMask));
  return SQLITE_OK;
}

// ValueRow is an update's new column values for read_event_columns().
struct ValueRow {
  sqlite3_value** values;
  ColumnType type(int col) const {
    switch (sqlite3_value_type(values[col])) {
      case SQLITE_INTEGER: return ColumnType::Integer;
      case SQLITE_FLOAT: return ColumnType::Real;
      case SQLITE_TEXT: return ColumnType::Text;
      case SQLITE_BLOB: return ColumnType::Blob;
      default: return ColumnType::Null;
    }
  }
  std::int64_t integer(int col) const { return sqlite3_value_int64(values[col]); }
  double real(int col) const { return sqlite3_value_double(values[col]); }
  std::string_view text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(values[col]));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(values[col]))) : std::string_view();
  }
  std::string_view blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_value_blob(values[col]));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(values[col]))) : std::string_view();
  }
};

// Prepared is one statement of update()'s, finalized at its end.
class Prepared {
 public:
  Prepared(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK) throw StorageError(sqlite3_errmsg(db));
  }
  ~Prepared() { sqlite3_finalize(st_); }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  sqlite3_stmt* get() const { return st_; }
  // step() is true for a row; throws StorageError for a failure.
  bool step() {
    const int rc = sqlite3_step(st_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw StorageError(sqlite3_errmsg(db_));
    return rc == SQLITE_ROW;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

// update_event() replaces event seq of run by the column values given
// (run first), re-encoding its chunk.
void update_event(sqlite3* db, std::int64_t run, std::uint64_t seq, sqlite3_value** columns) {
  Prepared find(db,
                 "SELECT first_seq, last_seq, checksum, data FROM event_chunks WHERE run = ?1 AND last_seq >= ?2 "
                 "ORDER BY last_seq LIMIT 1");
  sqlite3_bind_int64(find.get(), 1, run);
  sqlite3_bind_int64(find.get(), 2, static_cast<sqlite3_int64>(seq));
  const auto first = static_cast<std::uint64_t>(find.step() ? sqlite3_column_int64(find.get(), 0) : 0);
  if (first == 0 || first > seq) throw StorageError("run " + std::to_string(run) + " has no event " + std::to_string(seq));
  const auto last = static_cast<std::uint64_t>(sqlite3_column_int64(find.get(), 1));
  const auto* p = static_cast<const char*>(sqlite3_column_blob(find.get(), 3));
  const std::string data(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(find.get(), 3)));
  if (chunk_checksum(data) != sqlite3_column_int64(find.get(), 2) || last < first || last - first >= kChunkEvents)
    throw StorageError("run " + std::to_string(run) + " has damaged events: the chunk of seqs " +
                       std::to_string(first) + "-" + std::to_string(last) + " does not match its checksum");
  DecodedChunk chunk;
  decode_chunk(data, first, last - first + 1, chunk);

  // The new site, if any, by the run's number for it (a new number when
  // the run's events named it nowhere yet).
  Prepared number(db, "SELECT number FROM run_sites WHERE run = ?1 AND site = ?2");
  Prepared add(db,
                "INSERT INTO run_sites (run, number, site) SELECT ?1, coalesce(max(number), 0) + 1, ?2 "
                "FROM run_sites WHERE run = ?1 RETURNING number");
  auto site_number = [&](std::int64_t site) -> std::uint32_t {
    for (Prepared* st : {&number, &add}) {
      sqlite3_bind_int64(st->get(), 1, run);
      sqlite3_bind_int64(st->get(), 2, site);
      if (st->step()) return static_cast<std::uint32_t>(sqlite3_column_int64(st->get(), 0));
    }
    throw StorageError("cannot number site " + std::to_string(site));
  };
  EventRecord e;
  std::string ready;
  read_event_columns(ValueRow{columns}, kSeqColumn, e, ready, site_number);
  EventChunkEncoder encoder;
  for (std::size_t k = 0; k < chunk.events.size(); ++k) encoder.add(first + k == seq ? e : chunk.events[k]);

  Prepared put(db, "UPDATE event_chunks SET data = ?1, checksum = ?2 WHERE run = ?3 AND last_seq = ?4");
  sqlite3_bind_blob(put.get(), 1, encoder.bytes().data(), static_cast<int>(encoder.bytes().size()), SQLITE_STATIC);
  sqlite3_bind_int64(put.get(), 2, chunk_checksum(encoder.bytes()));
  sqlite3_bind_int64(put.get(), 3, run);
  sqlite3_bind_int64(put.get(), 4, static_cast<sqlite3_int64>(last));
  put.step();
}

// update() takes an UPDATE of one event's columns other than run and seq;
// events are never inserted or deleted.
int update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64*) {
  if (argc == 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL)
    return fail(vtab, SQLITE_CONSTRAINT_VTAB, "events are only updated, never inserted or deleted");
  const auto old = static_cast<std::uint64_t>(sqlite3_value_int64(argv[0]));
  const auto run = static_cast<std::int64_t>(old >> kSeqBits);
  const std::uint64_t seq = old & kSeqMask;
  if (sqlite3_value_int64(argv[1]) != sqlite3_value_int64(argv[0]) ||
      sqlite3_value_type(argv[2 + kRunColumn]) != SQLITE_INTEGER ||
      sqlite3_value_int64(argv[2 + kRunColumn]) != run || sqlite3_value_type(argv[2 + kSeqColumn]) != SQLITE_INTEGER ||
      static_cast<std::uint64_t>(sqlite3_value_int64(argv[2 + kSeqColumn])) != seq)
    return fail(vtab, SQLITE_CONSTRAINT_VTAB, "an event's run and seq cannot change");
  try {
    update_event(static_cast<Table*>(vtab)->db, run, seq, argv + 2);
    return SQLITE_OK;
  } catch (const std::exception& e) {
    return fail(vtab, SQLITE_ERROR, e.what());
  }
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.iVersion = 0;
  m.xCreate = nullptr;  // eponymous only: CREATE VIRTUAL TABLE cannot store it in a file
  m.xConnect = connect;
  m.xBestIndex = best_index;
  m.xDisconnect = disconnect;
  m.xDestroy = disconnect;
  m.xOpen = open;
  m.xClose = close;
  m.xFilter = filter;
  m.xNext = next;
  m.xEof = eof;
  m.xColumn = column;
  m.xRowid = rowid;
  m.xUpdate = update;
  return m;
}

const sqlite3_module kModule = make_module();

}  // namespace

int register_events_table(sqlite3* db) { return sqlite3_create_module_v2(db, "events", &kModule, nullptr, nullptr); }

}  // namespace gorewind::storage
