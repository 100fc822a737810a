// The embedded store: one SQLite file in WAL mode. Writers take turns on one connection and
// share commits (group_commit.h: SQLite allows one writer, and waiting for a turn in-process is
// cheaper than spinning on SQLITE_BUSY); across processes BEGIN IMMEDIATE with a busy timeout
// serialises them. Readers use their own connections and read a snapshot without waiting for
// the writer.
//
// In memory (`--store memory`, for test suites) the same SQL runs on a database of SQLite's
// memdb VFS: no file, no fsync, every rule but durability the same. There is no WAL in
// memory, and memdb's locks would answer a reader SQLITE_BUSY while a write is open, so the
// process orders them itself: reads share, a write has the database alone. Writes there take
// microseconds, so readers hardly wait.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "store/sqlite/group_commit.h"
#include "store/store.h"

namespace cuplane::store::sqlite {

class SqliteConnection;

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` and applies pending migrations.
  // Throws StoreError when it cannot.
  explicit SqliteStore(std::string path);
  // A new, empty database in memory, gone with the object.
  static std::unique_ptr<SqliteStore> InMemory();
  ~SqliteStore() override;

  std::string Describe() const override { return in_memory_ ? "memory" : "sqlite:" + path_; }
  bool ReadsAreLocal() const override { return true; }

 protected:
  Status RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) override;

 private:
  std::unique_ptr<SqliteConnection> Acquire();
  void Release(std::unique_ptr<SqliteConnection> connection);
  struct MemoryTag {};
  explicit SqliteStore(MemoryTag);
  void Migrate();

  std::string path_;
  bool in_memory_ = false;
  // In memory: holds the database open (memdb frees it with its last connection), and orders
  // reads against writes.
  std::unique_ptr<SqliteConnection> keep_alive_;
  std::shared_mutex memory_mutex_;
  GroupCommit writes_;  // every write transaction
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // GUARDED_BY(pool_mutex_)
};

}  // namespace cuplane::store::sqlite
