#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include "store/sql/apply_migrations.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_transaction.h"
#include "store/store_failure.h"

namespace cuplane::store::sqlite {

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)), writes_(path_) { Migrate(); }

SqliteStore::~SqliteStore() = default;

std::unique_ptr<SqliteConnection> SqliteStore::Acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return std::make_unique<SqliteConnection>(path_);
}

void SqliteStore::Release(std::unique_ptr<SqliteConnection> connection) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(connection));
}

void SqliteStore::Migrate() {
  auto connection = Acquire();
  // BEGIN IMMEDIATE takes the database's write lock, which keeps other processes out.
  sql::ApplyMigrations(*connection,
                       sql::MigrationDialect{"BEGIN IMMEDIATE", "strftime('%s','now')", false});
  Release(std::move(connection));
}

Status SqliteStore::RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) {
  if (write) return writes_.Run(fn);
  std::unique_ptr<SqliteConnection> connection;
  bool open = false;
  try {
    connection = Acquire();
    connection->ExecCached("BEGIN");
    open = true;
    SqliteTransaction tx(*connection);
    bool commit = fn(tx);
    connection->ExecCached(commit ? "COMMIT" : "ROLLBACK");
    open = false;
    Release(std::move(connection));
    return OkStatus();
  } catch (const std::exception& e) {
    if (open) {
      try {
        connection->ExecCached("ROLLBACK");
      } catch (const StoreError&) {
        connection.reset();  // a connection that cannot roll back is not reused
      }
    }
    if (connection) Release(std::move(connection));
    spdlog::error("store: read transaction failed: {}", e.what());
    return StoreFailureError(e);
  }
}

}  // namespace cuplane::store::sqlite
