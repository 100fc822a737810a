#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include "store/schema.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_transaction.h"

namespace cuplane::store::sqlite {

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)) { Migrate(); }

SqliteStore::~SqliteStore() = default;

std::unique_ptr<Connection> SqliteStore::Acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return std::make_unique<Connection>(path_);
}

void SqliteStore::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(connection));
}

void SqliteStore::Migrate() {
  std::lock_guard write_lock(write_mutex_);
  auto connection = Acquire();
  connection->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  for (const Migration& migration : Migrations()) {
    connection->Exec("BEGIN IMMEDIATE");
    try {
      auto check = connection->Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
      check.Bind(1, std::int64_t{migration.version});
      bool applied = check.Step();
      if (!applied) {
        connection->Exec(migration.sql);
        connection
            ->Prepare(
                "INSERT INTO schema_migrations (version, description, applied_at) "
                "VALUES (?, ?, strftime('%s','now'))")
            .Bind(1, std::int64_t{migration.version})
            .Bind(2, migration.description)
            .Run();
        spdlog::info("store: applied migration {} ({})", migration.version, migration.description);
      }
      connection->Exec("COMMIT");
    } catch (...) {
      connection->Exec("ROLLBACK");
      throw;
    }
  }
  Release(std::move(connection));
}

Status SqliteStore::RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) {
  std::unique_lock<std::mutex> write_lock(write_mutex_, std::defer_lock);
  if (write) write_lock.lock();
  std::unique_ptr<Connection> connection;
  bool open = false;
  try {
    connection = Acquire();
    connection->Exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
    open = true;
    SqliteTransaction tx(*connection);
    bool commit = fn(tx);
    connection->Exec(commit ? "COMMIT" : "ROLLBACK");
    open = false;
    Release(std::move(connection));
    return OkStatus();
  } catch (const std::exception& e) {
    if (open) {
      try {
        connection->Exec("ROLLBACK");
      } catch (const StoreError&) {
        connection.reset();  // a connection that cannot roll back is not reused
      }
    }
    if (connection) Release(std::move(connection));
    spdlog::error("store: transaction rolled back: {}", e.what());
    const auto* store_error = dynamic_cast<const StoreError*>(&e);
    bool transient = store_error && (store_error->kind() == StoreError::Kind::kBusy ||
                                     store_error->kind() == StoreError::Kind::kUnavailable);
    return MakeError(
        transient ? ErrorCode::kServiceUnavailable : ErrorCode::kInternalError,
        transient ? "the store is busy or unavailable; retry later" : "internal store error");
  }
}

}  // namespace cuplane::store::sqlite
