// database.hpp: a thin RAII layer over one SQLite connection and its prepared
// statements. Every SQLite failure becomes a StorageError naming what was
// being done; nothing here knows the log's schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace gorewind::storage {

// ColumnType is the storage class of a column's value in the current row.
enum class ColumnType { Null, Integer, Real, Text, Blob };

// Statement is one prepared statement. bind_*() take 1-based parameter
// indexes; step() returns true while a row is available; reset() makes it
// ready to run again with new bindings.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind_int(int i, std::int64_t v);
  void bind_null(int i);
  void bind_real(int i, double v);
  void bind_text(int i, std::string_view v);  // copied by SQLite only on step(): keep v alive until then
  void bind_blob(int i, std::string_view v);  // likewise
  // bind_text_or_null() binds NULL for an empty string.
  void bind_text_or_null(int i, std::string_view v);
  bool step();
  void reset();

  // Column accessors for the current row (0-based).
  ColumnType column_type(int col) const;
  bool is_null(int col) const { return column_type(col) == ColumnType::Null; }
  std::int64_t column_int(int col) const;
  double column_real(int col) const;
  std::string_view column_text(int col) const;  // valid until the next step() or reset()
  std::string_view column_blob(int col) const;  // likewise

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Database is one open connection, for one thread at a time. Open modes: an existing file to read
// and never change (ReadOnly), an existing file to write (ExistingOnly),
// or created when missing (CreateIfMissing). With ReadOnly or ExistingOnly
// a missing file is an error, not a new empty log.
//
// ReadOnly works where the file or its folder cannot be written: SQLite
// then opens it read-only, and as immutable when no -wal file exists (a WAL
// reader must otherwise create -wal and -shm beside it). Where both can be
// written the connection is an ordinary one, because a read-only WAL
// connection leaves -wal and -shm behind; open_log() makes it query-only.
class Database {
 public:
  enum class Mode { ReadOnly, ExistingOnly, CreateIfMissing };
  Database(const std::string& path, Mode mode);
  Database(Database&& o) noexcept;
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // exec() runs one or more statements without results.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  // query_int() runs a one-value query; nullopt when it yields no row or NULL.
  std::optional<std::int64_t> query_int(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace gorewind::storage
