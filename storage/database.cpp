#include <gorewind/storage/database.hpp>

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include <gorewind/storage/storage_error.hpp>

namespace gorewind::storage {
namespace {

// last_error() is SQLite's message for db's latest failure.
std::string last_error(sqlite3* db) {
  if (db == nullptr) return "out of memory";
  std::string msg = sqlite3_errmsg(db);
  // SQLite says only "disk I/O error" when a write fails, and by the time
  // it reports, errno is gone: name the usual causes.
  const int code = sqlite3_extended_errcode(db);
  if (code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_FSYNC || code == SQLITE_IOERR_TRUNCATE ||
      code == SQLITE_IOERR_SHMSIZE)
    msg += " while writing (the disk may be full, or the file over a size limit)";
  return msg;
}

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw StorageError(std::string(what) + ": " + last_error(db));
}

// writable() is whether this process may change path and create files
// beside it (SQLite's -wal and -shm). access() also sees a read-only mount
// and an immutable file, which stop even root.
bool writable(const std::string& path) {
  const std::string::size_type slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  return ::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0 &&
         ::faccessat(AT_FDCWD, dir.c_str(), W_OK, AT_EACCESS) == 0;
}

// read_only_uri() is the SQLite URI that opens path read-only; immutable
// when no -wal exists, as nothing is then in the middle of being written
// in WAL mode and SQLite needs no -shm to read it. Characters URIs reserve
// are escaped.
std::string read_only_uri(const std::string& path) {
  struct stat st {};
  const bool wal = ::stat((path + "-wal").c_str(), &st) == 0;
  std::string uri = path.starts_with('/') ? "file://" : "file:";
  constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '%' || c == '?' || c == '#' || u < 0x20 || u >= 0x7f) {
      uri += '%';
      uri += kHex[u >> 4];
      uri += kHex[u & 0xf];
    } else {
      uri += c;
    }
  }
  return uri + (wal ? "?mode=ro" : "?mode=ro&immutable=1");
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
      SQLITE_OK)
    fail(db, "cannot prepare a statement");
}

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = std::exchange(o.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind_int(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
void Statement::bind_null(int i) { sqlite3_bind_null(stmt_, i); }
void Statement::bind_real(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
void Statement::bind_text(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
void Statement::bind_blob(int i, std::string_view v) {
  sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
void Statement::bind_text_or_null(int i, std::string_view v) {
  if (v.empty())
    bind_null(i);
  else
    bind_text(i, v);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // A failed step leaves the statement needing a reset before it can run again.
  // The statement knows its connection, not the path the user gave: name
  // the file as SQLite opened it.
  const char* file = sqlite3_db_filename(db_, "main");
  std::string msg = (file && *file ? std::string(file) + ": " : std::string()) + last_error(db_);
  sqlite3_reset(stmt_);
  throw StorageError(msg);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

ColumnType Statement::column_type(int col) const {
  switch (sqlite3_column_type(stmt_, col)) {
    case SQLITE_INTEGER: return ColumnType::Integer;
    case SQLITE_FLOAT: return ColumnType::Real;
    case SQLITE_TEXT: return ColumnType::Text;
    case SQLITE_BLOB: return ColumnType::Blob;
    default: return ColumnType::Null;
  }
}
std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::column_real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string_view Statement::column_text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
}
std::string_view Statement::column_blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
}

Database::Database(const std::string& path, Mode mode) : path_(path) {
  struct stat st {};
  if (mode != Mode::CreateIfMissing && ::stat(path.c_str(), &st) != 0)
    throw StorageError("no event log at '" + path + "' (record a run first, or pass --db FILE)");
  const bool exists = mode != Mode::CreateIfMissing || ::stat(path.c_str(), &st) == 0;
  const bool read_only = exists && !writable(path);
  // SQLite would open such a file for reading anyway, and a writer would
  // then fail on its first write with a message that does not say why.
  if (read_only && mode != Mode::ReadOnly)
    throw StorageError("cannot write to '" + path + "': it or its folder is read-only");
  const std::string name = read_only ? read_only_uri(path) : path;
  // NOMUTEX: a connection is used by one thread at a time (a writer's by
  // its writing thread after the caller has opened it), so SQLite's own
  // locking of it is pure cost.
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
                               : SQLITE_OPEN_READWRITE | (mode == Mode::CreateIfMissing ? SQLITE_OPEN_CREATE : 0));
  if (sqlite3_open_v2(name.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = "cannot open '" + path + "': " + last_error(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(msg);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::Database(Database&& o) noexcept : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::exec(std::string_view sql) {
  const std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_, path_);
}

std::optional<std::int64_t> Database::query_int(std::string_view sql) {
  Statement st(db_, sql);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return st.column_int(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace gorewind::storage
