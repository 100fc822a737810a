// The embedded store: one SQLite file in WAL mode. Writers are serialised in-process by a
// mutex (SQLite allows one writer; waiting on a mutex is cheaper than spinning on SQLITE_BUSY)
// and across processes by BEGIN IMMEDIATE with a busy timeout. Readers use their own
// connections and read a snapshot without waiting for the writer.
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
  std::mutex write_mutex_;  // one writer at a time in this process
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // GUARDED_BY(pool_mutex_)
};

}  // namespace cuplane::store::sqlite
