#include "store/postgres/postgres_store.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <string_view>
#include <thread>

#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_transaction.h"
#include "store/sql/apply_migrations.h"
#include "store/store_failure.h"

namespace cuplane::store::postgres {
namespace {

// Explicit levels, so a server-wide default_transaction_isolation cannot change what the
// locking in SqlTransaction was designed for.
constexpr const char* kBeginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED";
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
// The advisory lock key ("cuplane" in ASCII) held by a migration transaction until it ends:
// servers starting together migrate one at a time, and each then finds the work done.
constexpr const char* kBeginMigration =
    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(27995148409466469)";

// Runs beyond max_attempts while the database is unreachable (bounded by the deadline first).
constexpr int kRunsWhileDown = 50;

// A transaction worth running again: it lost a race that a fresh run decides correctly.
bool Retryable(const StoreError& error, bool write) {
  switch (error.kind()) {
    case StoreError::Kind::kBusy:  // deadlock, serialization failure, lock timeout
      return true;
    case StoreError::Kind::kUnavailable:
      // The connection went away before COMMIT (a lost COMMIT is resolved before this), so
      // the server rolled the transaction back; a new connection may well work.
      return true;
    case StoreError::Kind::kConstraint: {
      // A duplicate key from a concurrent insert of the same row (two servers bootstrapping,
      // or creating one account, at once): the next run sees the row and decides again.
      const auto* pg = dynamic_cast<const PostgresError*>(&error);
      return write && pg && pg->sqlstate() == "23505";
    }
    case StoreError::Kind::kTimeout:  // the deadline has passed: no time for another run
    case StoreError::Kind::kFull:      // a full disk stays full for longer than a retry
    case StoreError::Kind::kInternal:
      return false;
  }
  return false;
}

// Randomised, growing pauses keep retried conflicts from colliding again in lockstep; never
// past the caller's deadline.
void Backoff(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  int ceiling_ms = 10 << std::min(attempt, 5);
  std::uniform_int_distribution<int> pause(ceiling_ms / 2, ceiling_ms);
  auto until = DeadlineClock::now() + std::chrono::milliseconds(pause(random));
  if (auto deadline = CallDeadline::Current()) until = std::min(until, *deadline);
  std::this_thread::sleep_until(until);
}

}  // namespace

std::string DescribePostgresUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "postgresql://(unparsable connection string)";
  }
  std::string user, host, hostaddr, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view keyword = o->keyword;
    if (keyword == "user") user = o->val;
    if (keyword == "host") host = o->val;
    if (keyword == "hostaddr") hostaddr = o->val;
    if (keyword == "port") port = o->val;
    if (keyword == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  std::string description = "postgresql://";
  if (!user.empty()) description += user + "@";
  description += host.empty() ? hostaddr : host;
  if (!port.empty()) description += ":" + port;
  description += "/" + dbname;
  return description;
}

std::string TransactionStatus(PostgresConnection& connection, const std::string& xid) {
  auto stmt = connection.Prepare("SELECT pg_xact_status(CAST(? AS xid8))");
  stmt.Bind(1, xid);
  // NULL: too old to know.
  std::optional<std::string> status = stmt.Step() ? stmt.OptionalText(0) : std::nullopt;
  return status.value_or("unknown");
}

PostgresStore::PostgresStore(std::string url) : PostgresStore(std::move(url), Options{}) {}

PostgresStore::PostgresStore(std::string url, Options options)
    : url_(std::move(url)), description_(DescribePostgresUrl(url_)), options_(options) {
  Migrate();
}

PostgresStore::~PostgresStore() = default;

std::unique_ptr<PostgresConnection> PostgresStore::Acquire() {
  std::unique_lock lock(pool_mutex_);
  auto available = [&] { return !idle_.empty() || open_ < options_.max_connections; };
  auto deadline = CallDeadline::Current();
  if (!deadline) {
    pool_changed_.wait(lock, available);
  } else if (!pool_changed_.wait_until(lock, *deadline, available)) {
    throw PostgresError(StoreError::Kind::kTimeout, "",
                        "no free PostgreSQL connection before the deadline");
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return connection;
  }
  ++open_;
  lock.unlock();
  try {
    return std::make_unique<PostgresConnection>(url_);
  } catch (...) {
    lock.lock();
    --open_;
    pool_changed_.notify_one();
    throw;
  }
}

void PostgresStore::Release(std::unique_ptr<PostgresConnection> connection) {
  if (!connection) return;
  bool reusable = connection->ReadyForReuse();
  if (!reusable) connection.reset();  // closed outside the lock
  std::lock_guard lock(pool_mutex_);
  if (reusable) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  pool_changed_.notify_one();
}

void PostgresStore::Migrate() {
  auto connection = Acquire();
  sql::ApplyMigrations(
      *connection,
      sql::MigrationDialect{kBeginMigration, "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)", true});
  Release(std::move(connection));
}

PostgresStore::CommitOutcome PostgresStore::ResolveCommit(const std::string& xid) {
  // The server finishes a commit it has begun even when the client is gone, and crash
  // recovery marks an unfinished one aborted; so ask until it can say, up to the in-doubt
  // timeout (past the request's own deadline: answering without knowing could make a client
  // buy twice), each question bounded by the call timeout.
  auto deadline = DeadlineClock::now() + options_.in_doubt_timeout;
  while (true) {
    try {
      CallDeadline question(std::min(deadline, DeadlineClock::now() + call_timeout()));
      PostgresConnection connection(url_);
      std::string status = TransactionStatus(connection, xid);
      if (status == "committed") return CommitOutcome::kCommitted;
      if (status == "aborted") return CommitOutcome::kRolledBack;
      if (status == "unknown") return CommitOutcome::kUnknown;
    } catch (const StoreError& e) {
      spdlog::warn("store: asking for the outcome of transaction {}: {}", xid, e.what());
    }
    if (std::chrono::steady_clock::now() >= deadline) return CommitOutcome::kUnknown;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::optional<Status> PostgresStore::Attempt(const std::function<bool(Transaction&)>& fn,
                                             bool write, bool last_attempt,
                                             bool conflicts_exhausted) {
  std::unique_ptr<PostgresConnection> connection;
  bool open = false;               // a transaction is open on `connection`
  bool committing = false;         // COMMIT has been sent
  std::optional<std::string> xid;  // of a transaction that wrote
  try {
    connection = Acquire();
    // BEGIN travels with the first statement that waits for the server, and what runs for its
    // effect only travels with the next one (postgres_pipeline.h).
    connection->pipeline().Start(write ? kBeginWrite : kBeginRead,
                                 /*watch_transaction_id=*/write);
    open = true;
    bool commit = false;
    {
      PostgresTransaction tx(*connection, write);
      commit = fn(tx);
    }
    if (commit && write) {
      // None when the transaction wrote nothing, so a lost COMMIT lost nothing either. Mostly
      // known already (asked along with an earlier statement), so this costs no round trip.
      xid = connection->pipeline().WrittenTransactionId();
    }
    committing = commit;
    // With the statements still queued: a failure among them fails the COMMIT with its error.
    connection->pipeline().Finish(commit ? "COMMIT" : "ROLLBACK");
    open = false;
    Release(std::move(connection));
    return OkStatus();
  } catch (const StoreError& e) {
    if (committing && connection && connection->Broken()) {
      // The reply to COMMIT was lost: the write may or may not have committed, and answering
      // an error for a purchase that committed would make clients buy again.
      Release(std::move(connection));
      CommitOutcome outcome =
          xid ? ResolveCommit(*xid) : CommitOutcome::kRolledBack;  // nothing was written
      if (outcome == CommitOutcome::kCommitted) {
        spdlog::warn("store: the reply to COMMIT was lost, but the transaction committed");
        return OkStatus();
      }
      if (outcome == CommitOutcome::kUnknown) {
        spdlog::error("store: the outcome of a COMMIT is unknown (transaction {}): {}",
                      xid.value_or(""), e.what());
        return OutcomeUnknownError();
      }
    } else if (connection) {
      if (open && !connection->Broken()) {
        try {
          connection->RollBack();
        } catch (const StoreError&) {
          // Release() drops a connection that is not idle
        }
      }
      Release(std::move(connection));
    }
    bool down = e.kind() == StoreError::Kind::kUnavailable;
    if (!last_attempt && (down || !conflicts_exhausted) && Retryable(e, write)) {
      spdlog::debug("store: retrying a transaction: {}", e.what());
      return std::nullopt;
    }
    spdlog::error("store: transaction rolled back: {}", e.what());
    return StoreFailureError(e);
  } catch (const std::exception& e) {
    if (connection && open && !connection->Broken()) {
      try {
        connection->RollBack();
      } catch (const StoreError&) {
      }
    }
    Release(std::move(connection));
    spdlog::error("store: transaction rolled back: {}", e.what());
    return MakeError(ErrorCode::kInternalError, "internal store error");
  }
}

Status PostgresStore::RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) {
  for (int attempt = 1;; ++attempt) {
    // A database that is down (restarting) is tried again until the deadline, so a short
    // outage costs a delay rather than an error; conflicts get max_attempts runs.
    bool last = CallDeadline::Expired() || attempt >= options_.max_attempts + kRunsWhileDown;
    if (auto status = Attempt(fn, write, last, attempt >= options_.max_attempts)) return *status;
    Backoff(attempt);
  }
}

}  // namespace cuplane::store::postgres
