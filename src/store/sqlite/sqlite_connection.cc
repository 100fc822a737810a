#include "store/sqlite/sqlite_connection.h"

#include <chrono>
#include <thread>

#include "store/call_deadline.h"

namespace cuplane::store::sqlite {
namespace {

// SQLITE_BUSY (another process holds the write lock) is waited out, but never past the
// caller's deadline; without one, for up to 10 s as a busy timeout would.
int WaitWhileLocked(void*, int attempts) {
  auto deadline = CallDeadline::Current();
  if (deadline ? DeadlineClock::now() >= *deadline : attempts >= 2000) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return 1;
}

}  // namespace

void ThrowSqliteError(sqlite3* db, int rc, std::string_view context) {
  using Kind = StoreError::Kind;
  Kind kind = Kind::kInternal;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      kind = Kind::kConstraint;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      kind = Kind::kBusy;
      break;
    case SQLITE_FULL:
      kind = Kind::kFull;
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
      kind = Kind::kUnavailable;
      break;
    default:
      break;
  }
  std::string message(context);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw StoreError(kind, message);
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::BindInt(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
}

void SqliteStatement::BindText(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
}

void SqliteStatement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
}

bool SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  ThrowSqliteError(db_, rc, sqlite3_sql(stmt_));
}

int SqliteStatement::Changes() { return sqlite3_changes(db_); }

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!text) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

void SqliteStatement::Reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {

// Process-wide settings, made before SQLite initialises (once; later calls would be refused).
// SQLite's memory statistics, on by default, take one global mutex on every allocation: with
// reads answered on several threads at once, the profile showed that mutex contended (futex
// waits) in every statement step. Nothing here reads those statistics.
void ConfigureSqliteOnce() {
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path, bool in_memory) {
  ConfigureSqliteOnce();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (in_memory) flags |= SQLITE_OPEN_URI;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(StoreError::Kind::kUnavailable, "open " + path + ": " + message);
  }
  sqlite3_busy_handler(db_, WaitWhileLocked, nullptr);
  // A larger lookaside pool (SQLite's per-connection arena for small allocations: cursors,
  // column values): with the default one a signed read still made 53 heap allocations inside
  // SQLite, 44 with this (callgrind); 480 KB per connection, of which there are a few per core.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 1200, 400);
  Exec("PRAGMA foreign_keys=ON");
  // Statement journals (what a SAVEPOINT or a failing statement rolls back to) and sorts in
  // memory: each write of a batch runs in a savepoint (GroupCommit), and with these in temp
  // files every page it first touched was copied there by a write(2) of its own, two thirds
  // of a purchase's system calls (strace). They live only until the transaction ends.
  Exec("PRAGMA temp_store=MEMORY");
  if (in_memory) {
    // Durability is the one rule the memory store drops: no journal on disk, no fsync.
    Exec("PRAGMA journal_mode=MEMORY");
    Exec("PRAGMA synchronous=OFF");
    return;
  }
  // WAL: readers never wait behind the writer. synchronous=FULL: a commit is on disk before
  // the caller learns of it, so an acknowledged purchase survives a crash or power loss.
  Exec("PRAGMA journal_mode=WAL");
  Exec("PRAGMA synchronous=FULL");
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void SqliteConnection::Exec(std::string_view sql) {
  std::string owned(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    ThrowSqliteError(nullptr, rc, message);
  }
}

void SqliteConnection::ExecCached(std::string_view statement) {
  sql::Statement stmt(PrepareCached(statement));  // reset when it goes, even on a throw
  stmt.Run();
}

sql::PreparedStatement& SqliteConnection::PrepareCached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "prepare");
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(db_, stmt)).first;
  }
  return *it->second;
}

}  // namespace cuplane::store::sqlite
