// One sqlite3 connection as a sql::Connection: prepared statements cached per connection,
// typed binds and reads, and every failure turned into a classified StoreError.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sql/sql_driver.h"
#include "common/error.h"
#include "store/store.h"

namespace cuplane::store::sqlite {

class SqliteStatement final : public sql::PreparedStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindInt(int index, std::int64_t value) override;
  void BindText(int index, std::string_view value) override;
  void BindNull(int index) override;
  bool Step() override;
  int Changes() override;
  bool IsNull(int column) const override;
  std::int64_t Int(int column) const override;
  std::string Text(int column) const override;
  void Reset() noexcept override;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public sql::Connection {
 public:
  // Opens (creating if needed) and applies the pragmas cuplane relies on. `in_memory`: `path`
  // is a URI naming a database of SQLite's memdb VFS, shared by every connection of the process
  // that names it; nothing is written to disk, so there is nothing to sync.
  SqliteConnection(const std::string& path, bool in_memory = false);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void Exec(std::string_view sql) override;
  // One statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT ...), compiled once
  // and kept: they run on every transaction, and compiling them each time showed in profiles.
  void ExecCached(std::string_view statement);
  // False once SQLite has ended the transaction (after COMMIT, ROLLBACK, or an error that
  // rolled it all back).
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

 protected:
  sql::PreparedStatement& PrepareCached(std::string_view sql) override;

 private:
  sqlite3* db_ = nullptr;
  // Looked up by the SQL text as a string_view (transparent hashing), so a hit, which is every
  // statement after the first, copies nothing.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, SqlHash, std::equal_to<>>
      cache_;
};

// Throws a StoreError classified from a SQLite result code.
[[noreturn]] void ThrowSqliteError(sqlite3* db, int rc, std::string_view context);

}  // namespace cuplane::store::sqlite
