// The shared store: one PostgreSQL database that several cuplane servers may use at once.
//
// Concurrency, in short (the rules in core/ were written for one writer at a time):
// - Writes run in READ COMMITTED. Rows a rule reads and then writes back (accounts,
//   instances) are locked as they are read (SqlTransaction::RowLockClause); pools change only
//   through guarded single-statement UPDATEs, so inventory cannot be oversold; the scheduler
//   claims due transitions with FOR UPDATE SKIP LOCKED.
// - Reads run in REPEATABLE READ READ ONLY: one consistent snapshot, never waiting on writers.
// - A transaction that loses to a concurrent one (deadlock, serialization failure, a duplicate
//   key from a racing insert) or whose connection drops before COMMIT is rolled back and run
//   again, a few times, on a fresh connection when needed.
// - When the reply to COMMIT is lost, the server is asked what became of the transaction
//   (pg_xact_status) before answering, so a write that committed is never reported failed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace cuplane::store::postgres {

class PostgresConnection;

class PostgresStore final : public Store {
 public:
  struct Options {
    int max_connections = 32;  // open at once; further transactions wait for one
    int max_attempts = 5;      // runs of one transaction lost to conflicts, counting retries
    // How long to keep asking whether a COMMIT whose reply was lost committed (SPEC §7);
    // each question is bounded by the store's call timeout.
    std::chrono::milliseconds in_doubt_timeout{std::chrono::minutes(5)};
  };

  // Connects to `url` (given to libpq as is) and applies pending migrations, once however many
  // servers start together. Throws StoreError when it cannot.
  explicit PostgresStore(std::string url);
  PostgresStore(std::string url, Options options);
  ~PostgresStore() override;

  // "postgresql://user@host:port/db": never the password.
  std::string Describe() const override { return description_; }
  bool ReadsAreLocal() const override { return false; }

 protected:
  Status RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) override;

 private:
  enum class CommitOutcome { kCommitted, kRolledBack, kUnknown };

  // One run of `fn`: the final status, or nullopt when it was rolled back and may run again.
  std::optional<Status> Attempt(const std::function<bool(Transaction&)>& fn, bool write,
                                bool last_attempt, bool conflicts_exhausted);
  CommitOutcome ResolveCommit(const std::string& xid);
  void Migrate();

  std::unique_ptr<PostgresConnection> Acquire();
  void Release(std::unique_ptr<PostgresConnection> connection);

  std::string url_;
  std::string description_;
  Options options_;
  std::mutex pool_mutex_;
  std::condition_variable pool_changed_;
  std::vector<std::unique_ptr<PostgresConnection>> idle_;  // GUARDED_BY(pool_mutex_)
  int open_ = 0;                                           // GUARDED_BY(pool_mutex_)
};

// How a connection URL (or key=value string) is shown in logs: user, host, port and database
// as libpq reads them, and nothing else, so no password ever reaches a log.
std::string DescribePostgresUrl(const std::string& url);

// What became of transaction `xid` (from pg_current_xact_id()), asked on `connection`:
// "committed", "aborted" or "in progress". Throws StoreError.
std::string TransactionStatus(PostgresConnection& connection, const std::string& xid);

}  // namespace cuplane::store::postgres
