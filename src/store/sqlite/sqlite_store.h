// The embedded store: one SQLite file in WAL mode. Writers are serialised in-process by a
// mutex (SQLite allows one writer; waiting on a mutex is cheaper than spinning on SQLITE_BUSY)
// and across processes by BEGIN IMMEDIATE with a busy timeout. Readers use their own
// connections and read a snapshot without waiting for the writer.
#pragma once

#include <memory>
#include <mutex>
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
  ~SqliteStore() override;

  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  Status RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) override;

 private:
  std::unique_ptr<SqliteConnection> Acquire();
  void Release(std::unique_ptr<SqliteConnection> connection);
  void Migrate();

  std::string path_;
  std::mutex write_mutex_;  // one writer at a time in this process
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // GUARDED_BY(pool_mutex_)
};

}  // namespace cuplane::store::sqlite
