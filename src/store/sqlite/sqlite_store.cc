#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>

#include "store/sql/apply_migrations.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_transaction.h"
#include "store/store_failure.h"

namespace cuplane::store::sqlite {

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)), writes_(path_) { Migrate(); }

namespace {

// A name of its own: two memory stores in one process (tests) never share a database.
std::string NewMemoryDatabaseUri() {
  static std::atomic<int> counter{0};
  return "file:/cuplane-memory-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1)) + "?vfs=memdb";
}

}  // namespace

SqliteStore::SqliteStore(MemoryTag)
    : path_(NewMemoryDatabaseUri()),
      in_memory_(true),
      keep_alive_(std::make_unique<SqliteConnection>(path_, true)),
      writes_(path_, /*in_memory=*/true) {
  Migrate();
}

std::unique_ptr<SqliteStore> SqliteStore::InMemory() {
  return std::unique_ptr<SqliteStore>(new SqliteStore(MemoryTag{}));
}

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
  return std::make_unique<SqliteConnection>(path_, in_memory_);
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
  // In memory a write has the database alone, and so commits alone: there is no fsync to share.
  std::unique_lock<std::shared_mutex> memory_write(memory_mutex_, std::defer_lock);
  std::shared_lock<std::shared_mutex> memory_read(memory_mutex_, std::defer_lock);
  if (in_memory_) write ? memory_write.lock() : memory_read.lock();
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
