// The embedded store: one SQLite file in WAL mode. Writers take turns on one connection and
// share commits (group_commit.h: SQLite allows one writer, and waiting for a turn in-process is
// cheaper than spinning on SQLITE_BUSY); across processes BEGIN IMMEDIATE with a busy timeout
// serialises them. Readers use their own connections and read a snapshot without waiting for
// the writer.
#pragma once

#include <memory>
#include <mutex>
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
  ~SqliteStore() override;

  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  Status RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) override;

 private:
  std::unique_ptr<SqliteConnection> Acquire();
  void Release(std::unique_ptr<SqliteConnection> connection);
  void Migrate();

  std::string path_;
  GroupCommit writes_;  // every write transaction
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // GUARDED_BY(pool_mutex_)
};

}  // namespace cuplane::store::sqlite
