// One libpq connection as a sql::Connection. The store's SQL uses SQLite's `?` placeholders;
// they are renumbered to PostgreSQL's $1..$n once, when a statement is first prepared on the
// connection (PQprepare); later uses only bind and execute (PQexecPrepared). Values travel in
// text format, which every column type here (BIGINT, INTEGER, TEXT) reads and writes exactly.
// Every failure becomes a StoreError classified from its SQLSTATE. Inside a store transaction
// the connection is in pipeline mode (postgres_pipeline.h): statements run for their effect
// (Run, Exec) are queued and travel with the next one whose result is read.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/postgres/postgres_pipeline.h"
#include "store/sql/sql_driver.h"
#include "store/store.h"

namespace cuplane::store::postgres {

// A StoreError that keeps PostgreSQL's SQLSTATE, so the store can tell a conflict worth
// retrying (a duplicate key from a concurrent insert) from other constraint failures.
class PostgresError : public StoreError {
 public:
  PostgresError(Kind kind, std::string sqlstate, const std::string& what)
      : StoreError(kind, what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// 23xxx (integrity) -> kConstraint; 08xxx (connection), 53xxx (resources) and server
// shutdown -> kUnavailable; 40xxx (serialization failure, deadlock), lock and statement
// timeouts -> kBusy; everything else (a bug in SQL, a corrupt value) -> kInternal.
StoreError::Kind ClassifySqlState(std::string_view sqlstate);

// Renumbers `?` placeholders to $1..$n, leaving quoted strings and identifiers alone. Sets
// *count to n.
std::string NumberPlaceholders(std::string_view sql, int* count);

class PostgresConnection;

class PostgresStatement final : public sql::PreparedStatement {
 public:
  PostgresStatement(PostgresConnection& connection, PGconn* conn, std::string name,
                    std::string sql, int parameters);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  void BindInt(int index, std::int64_t value) override;
  void BindText(int index, std::string_view value) override;
  void BindNull(int index) override;
  bool Step() override;
  void Defer() override;
  int Changes() override;
  bool IsNull(int column) const override;
  std::int64_t Int(int column) const override;
  std::string Text(int column) const override;
  void Reset() noexcept override;

  // For PostgresPipeline: the result of this statement's execution (null when it was not run).
  void TakeResult(PGresult* result);

 private:
  std::optional<std::string>& Parameter(int index);
  void Send();
  void Execute();
  const char* Value(int column) const;

  PostgresConnection& connection_;
  PGconn* conn_;
  std::string name_;  // of the server-side prepared statement
  std::string sql_;   // for error messages
  std::vector<std::optional<std::string>> parameters_;
  PGresult* result_ = nullptr;  // the executed statement's rows, all fetched
  bool pending_ = false;        // sent in the pipeline, result not yet read
  int rows_ = 0;
  int row_ = -1;
};

class PostgresConnection final : public sql::Connection {
 public:
  // Connects to `url` (a postgresql:// URL or a libpq key=value string, passed to libpq as
  // given). Throws StoreError(kUnavailable) when it cannot.
  explicit PostgresConnection(const std::string& url);
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  void Exec(std::string_view sql) override;

  // Whether the connection can run another transaction: the server has not gone away, no
  // transaction is left open or aborted on it, and it is out of pipeline mode.
  bool ReadyForReuse() const;
  // Gone, or abandoned after a reply did not come before the deadline.
  bool Broken() const { return timed_out_ || PQstatus(conn_) != CONNECTION_OK; }

  // The result of the command just sent (PQsend*), waiting no longer than this thread's
  // CallDeadline; nullptr when the connection failed. Throws StoreError(kTimeout) when the
  // deadline passes, and the connection is then Broken().
  PGresult* AwaitResult(std::string_view context);

  // The waits behind AwaitResult, for the pipeline: sends what libpq holds, reading while the
  // socket is full; and the next result (or null). Both throw StoreError(kTimeout) as above.
  void FlushOutput(std::string_view context);
  PGresult* NextResult(std::string_view context);

  // A store transaction's statements go through it (Start ... Finish).
  PostgresPipeline& pipeline() { return *pipeline_; }
  // Ends the open transaction with ROLLBACK whatever state it is in, dropping results still
  // owed. Throws StoreError.
  void RollBack();

 protected:
  sql::PreparedStatement& PrepareCached(std::string_view sql) override;

 private:
  [[noreturn]] void TimedOut(std::string_view context);
  void PrepareNow(const std::string& name, const std::string& numbered, int parameters,
                  const std::string& key);

  PGconn* conn_ = nullptr;
  bool timed_out_ = false;
  std::optional<PostgresPipeline> pipeline_;  // once connected
  std::unordered_map<std::string, std::unique_ptr<PostgresStatement>> cache_;
};

// Throws a PostgresError for a failed `result` (which may be null) on `conn`.
[[noreturn]] void ThrowPostgresError(PGconn* conn, const PGresult* result,
                                     std::string_view context);

}  // namespace cuplane::store::postgres
