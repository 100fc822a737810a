// The persistence boundary. core/ expresses every rule against `Transaction`, a set of
// primitive reads and writes; sql/ implements them once in SQL, and each backend (sqlite/,
// postgres/) supplies a driver and a few dialect hooks. The rules therefore exist once, and
// every backend gets them for free.
//
// Infrastructure failures (disk full, connection lost, a bug in SQL) are thrown as StoreError
// from the primitives and caught at the transaction boundary, which rolls back and turns them
// into an Error. Domain outcomes are returned as values by core/, never thrown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.h"
#include "core/model.h"
#include "store/call_deadline.h"
#include "store/store_stats.h"

namespace cuplane::store {

// ServiceUnavailable for a call whose deadline passed before it began (store_failure.cc).
Error DeadlinePassedError();

// A failure of the storage itself, classified so callers can answer sensibly.
class StoreError : public std::runtime_error {
 public:
  // kFull: the disk (or the database's) is full; kTimeout: no answer before the deadline.
  enum class Kind { kConstraint, kBusy, kUnavailable, kFull, kTimeout, kInternal };
  StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Where a page of accounts starts: after the account with this creation time and id.
struct AccountCursor {
  UnixSeconds created_at = 0;
  std::string account_id;
};

struct AccountSummary {
  core::Account account;
  std::int64_t live_units = 0;  // instances neither Released nor CreateFailed
};

// A position in a list of services (SPEC §4.11 DescribeServices): the (created_at, seq) of
// the last service of the previous page. The default starts at the beginning of the list.
struct ServiceCursor {
  UnixSeconds created_at = 0;
  std::int64_t seq = 0;
  bool started = false;  // false: from the first service (the last, when reversed)
};

// A saved copy of the whole state (SPEC §6 SaveSnapshot).
struct SnapshotInfo {
  std::string name;
  UnixSeconds saved_at = 0;
  std::int64_t rows = 0;  // rows of state copied, over every table
  std::string digest;     // hex SHA-256 of those rows: equal digests, equal states
};

struct InstanceFilter {
  std::string account_id;
  std::string service_id;  // instances bought for, serving or having served it
  std::optional<core::PaymentTiming> payment_timing;  // none: every payment type
  UnixSeconds hide_released_before = 0;  // terminal instances released earlier are not listed
};

// Where a page of units starts: strictly older than this (created_at, seq).
struct UnitCursor {
  UnixSeconds created_at = 0;
  std::int64_t seq = 0;
};

// Units of any account (empty account_id) or of one, newest first (created_at, then seq).
struct UnitQuery {
  std::string account_id;  // empty: every account
  std::string region;      // empty: every region
  std::string type;        // empty: every type
  std::optional<core::InstanceStatus> status;
  std::optional<core::PaymentTiming> payment_timing;
  std::optional<UnixSeconds> hide_released_before;  // terminal units released earlier are hidden
  std::optional<UnitCursor> after;                  // continue after this unit
  int limit = 0;                                    // 0: no limit
};

// One transaction. Every method may throw StoreError.
//
// Several servers may write one database at once (PostgreSQL). In a write transaction,
// GetAccount, GetInstance and ListLivePostpaid therefore lock the rows they return until the
// transaction ends, so that a rule which reads a balance or an instance and then writes it back
// never works from a value another transaction is changing. Pools are only ever changed by the
// guarded single statements below, which need no lock.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // --- meta: small named values (virtual clock, demo key, ...) -----------------------------
  virtual std::optional<std::string> GetMeta(const std::string& key) = 0;
  virtual void SetMeta(const std::string& key, const std::string& value) = 0;
  // Inserts only when `key` has no value yet; false (nothing changed) when it has one, also
  // when a concurrent transaction set it first.
  virtual bool InsertMetaIfAbsent(const std::string& key, const std::string& value) = 0;

  // --- accounts and money ------------------------------------------------------------------
  virtual bool AnyAccountExists() = 0;
  virtual std::optional<core::Account> GetAccount(const std::string& account_id) = 0;
  virtual void InsertAccount(const core::Account& account) = 0;  // balance starts at 0
  virtual void SetArrearsSince(const std::string& account_id, std::optional<UnixSeconds> since) = 0;
  // Adds entry.amount to the balance and appends the entry, together, so that
  // balance == sum(ledger) always holds. Returns the new balance.
  virtual core::Money PostLedgerEntry(const core::LedgerEntry& entry) = 0;
  // Newest first; entries with id < before_id when before_id > 0.
  virtual std::vector<core::LedgerEntry> ListLedger(const std::string& account_id,
                                                    std::int64_t before_id, int limit) = 0;
  virtual core::Money SumLedger(const std::string& account_id) = 0;
  // Ordered by (created_at, account_id); those after `after` when given.
  virtual std::vector<AccountSummary> ListAccounts(const std::optional<AccountCursor>& after,
                                                   int limit) = 0;

  // --- Postpaid billing (core/billing) ------------------------------------------------------
  // Locked like GetAccount; read it after the account, so locks are always taken in one order.
  virtual std::optional<core::PostpaidAccount> GetPostpaidAccount(
      const std::string& account_id) = 0;
  virtual void PutPostpaidAccount(const core::PostpaidAccount& account) = 0;  // insert or update
  // Accounts with a burn rate but no settlement scheduled (a store migrated from per-unit
  // settlement has none yet).
  virtual std::vector<core::PostpaidAccount> ListUnscheduledPostpaidAccounts() = 0;
  // The unit's open segment (end_at unset), if it is billed now.
  virtual std::optional<core::UsageSegment> GetOpenSegment(const std::string& instance_id) = 0;
  // Insert or update, keyed by (instance_id, start_at).
  virtual void PutSegment(const core::UsageSegment& segment) = 0;
  // The account's segments overlapping [from, to), by unit (in purchase order), then start.
  virtual std::vector<core::UsageSegment> ListSegments(const std::string& account_id,
                                                       UnixSeconds from, UnixSeconds to) = 0;

  // --- users, policies, keys ----------------------------------------------------------------
  virtual bool UserExists(const std::string& account_id, const std::string& user_name) = 0;
  virtual void InsertUser(const std::string& account_id, const std::string& user_name,
                          UnixSeconds created_at) = 0;
  virtual void AddPolicy(const std::string& account_id, const std::string& user_name,
                         core::Policy policy) = 0;
  virtual void RemovePolicy(const std::string& account_id, const std::string& user_name,
                            core::Policy policy) = 0;
  virtual std::vector<core::Policy> ListPolicies(const std::string& account_id,
                                                 const std::string& user_name) = 0;
  virtual std::optional<core::AccessKey> GetAccessKey(const std::string& access_key) = 0;
  virtual void InsertAccessKey(const core::AccessKey& key, UnixSeconds created_at) = 0;
  virtual void SetAccessKeyEnabled(const std::string& access_key, bool enabled) = 0;
  // The sealed secret of some access key (any one), or nullopt when the store holds none.
  virtual std::optional<std::string> AnySealedSecret() = 0;

  // --- the authentication generation --------------------------------------------------------
  // Servers cache access keys, secrets and policies (auth/key_cache.h) and trust the cache
  // only while this number is unchanged. It grows in the same transaction as every change to
  // who may call what: the key and policy primitives above bump it themselves, and anything
  // else that changes keys, users or policies (a reset, a restore) must call
  // BumpAuthGeneration() in its transaction.
  virtual std::int64_t AuthGeneration() = 0;
  virtual void BumpAuthGeneration() = 0;
  // Whether this transaction bumped the generation (the store then tells this process's cache
  // at once, without waiting for its next look at the generation).
  virtual bool BumpedAuthGeneration() const = 0;

  // --- services -----------------------------------------------------------------------------
  virtual std::optional<core::Service> GetService(const std::string& service_id) = 0;
  // Draws the service's seq (its place in lists).
  virtual void InsertService(const core::Service& service) = 0;
  // Writes back what changes after creation: the lifecycle and its pending step.
  virtual void UpdateService(const core::Service& service) = 0;
  // In list order: by (created_at, seq).
  virtual std::vector<core::Service> ListServices(const std::string& account_id) = 0;
  // Up to `limit` services of an account after `after` in list order, or before it in
  // reverse order (newest first) when `reverse`.
  virtual std::vector<core::Service> ListServicesPage(const std::string& account_id,
                                                      const ServiceCursor& after, bool reverse,
                                                      int limit) = 0;

  // --- pools and prices ---------------------------------------------------------------------
  virtual std::optional<core::Pool> GetPool(const std::string& region, const std::string& type) = 0;
  virtual std::vector<core::Pool> ListPools() = 0;
  // Creates the pool or sets its total. Returns false (and changes nothing) when the new
  // total is below what is allocated.
  virtual bool SetPoolTotal(const std::string& region, const std::string& type,
                            std::int64_t total_units) = 0;
  // Guarded take: allocated += units only if it stays <= total. False when it would not.
  virtual bool TryAllocate(const std::string& region, const std::string& type,
                           std::int64_t units) = 0;
  virtual void Deallocate(const std::string& region, const std::string& type,
                          std::int64_t units) = 0;
  virtual std::optional<core::Price> GetPrice(const std::string& type) = 0;
  virtual std::vector<core::Price> ListPrices() = 0;
  virtual void SetPrice(const core::Price& price) = 0;

  // --- instances and deployments ------------------------------------------------------------
  virtual void InsertInstance(const core::Instance& instance) = 0;
  virtual void UpdateInstance(const core::Instance& instance) = 0;
  virtual std::optional<core::Instance> GetInstance(const std::string& instance_id) = 0;
  // Newest first.
  virtual std::vector<core::Instance> ListInstances(const InstanceFilter& filter) = 0;
  // Live (non-terminal) Postpaid instances of an account.
  virtual std::vector<core::Instance> ListLivePostpaid(const std::string& account_id) = 0;
  virtual std::vector<core::Instance> ListUnits(const UnitQuery& query) = 0;
  virtual std::int64_t SumLiveUnits(const std::string& region, const std::string& type) = 0;
  virtual void InsertDeployment(const core::Deployment& deployment) = 0;
  virtual std::optional<core::Deployment> GetDeployment(const std::string& instance_id,
                                                        const std::string& service_id) = 0;
  // Writes back the replicas, units and scale state of an existing deployment.
  virtual void UpdateDeployment(const core::Deployment& deployment) = 0;
  virtual void DeleteDeployment(const std::string& instance_id, const std::string& service_id) = 0;
  virtual void DeleteDeployments(const std::string& instance_id) = 0;
  virtual std::vector<core::Deployment> ListDeployments(const std::string& instance_id) = 0;
  virtual std::vector<core::Deployment> ListDeploymentsOfService(const std::string& service_id) = 0;
  // Remembers that a unit served a service whose deployment on it ended (kept once per pair).
  virtual void RecordPastDeployment(const std::string& instance_id, const std::string& service_id,
                                    UnixSeconds ended_at) = 0;
  // Whether the service runs on the unit now or ran on it before (a past deployment).
  virtual bool ServedBy(const std::string& instance_id, const std::string& service_id) = 0;

  // --- timed transitions --------------------------------------------------------------------
  virtual void ScheduleTransition(const core::Transition& transition) = 0;
  virtual void CancelTransitions(const std::string& instance_id, core::TransitionKind kind) = 0;
  virtual void CancelAccountTransitions(const std::string& account_id,
                                        core::TransitionKind kind) = 0;
  // The earliest transition due at or before `now` (by due_at, then id), claimed for this
  // transaction (other servers skip it), or nullopt.
  virtual std::optional<core::Transition> ClaimNextDue(UnixSeconds now) = 0;
  virtual void DeleteTransition(std::int64_t id) = 0;
  virtual std::optional<UnixSeconds> NextDueTime() = 0;
  virtual std::vector<core::Transition> ListTransitions(const std::string& instance_id) = 0;
  // Whether the account has a transition other than its own settlement due before `before`:
  // work that, once applied, may change its usage up to then.
  virtual bool HasTransitionDueBefore(const std::string& account_id, UnixSeconds before) = 0;

  // --- orders and faults ----------------------------------------------------------------------
  virtual void InsertOrder(const core::Order& order) = 0;
  // Adds `count` to the fault of exactly this (operation, region, type), creating it.
  virtual void AddFault(const core::Fault& fault) = 0;
  // Every stored fault, by operation, region, type.
  virtual std::vector<core::Fault> ListFaults() = 0;
  virtual void DeleteAllFaults() = 0;
  // Guarded take of one use of exactly this fault key (region/type "" = the wildcard row);
  // the row goes when its last use is taken. False when there is none.
  virtual bool TakeFault(core::FaultOperation operation, const std::string& region,
                         const std::string& type) = 0;

  // --- idempotency --------------------------------------------------------------------------
  virtual std::optional<core::IdempotencyRecord> GetIdempotency(const std::string& account_id,
                                                                const std::string& token) = 0;
  // Stores the record, replacing one of the same (account, token): an expired record is
  // overwritten in place, so a purchase needs no clean-up of its own.
  virtual void PutIdempotency(const core::IdempotencyRecord& record) = 0;
  // Garbage collection of expired records (the scheduler's, now and then); a record older than
  // the window already counts as absent wherever it is read.
  virtual void DeleteIdempotencyBefore(UnixSeconds cutoff) = 0;

  // --- the whole state at once (Reset, snapshots) -------------------------------------------
  // The state is every row of every table of the database catalog except what
  // store/state_tables.h keeps (operator keys, migration records, snapshots, a few meta
  // values), so a table added by a later migration belongs to it without further code. Each
  // of these keeps concurrent writers (of every server) out while it runs: other transactions
  // see the state before or after, never a mix.
  //
  // Deletes the state.
  virtual void ClearState() = 0;
  // Copies the state under `name`, replacing a snapshot of that name.
  virtual SnapshotInfo SaveSnapshot(const std::string& name, UnixSeconds saved_at) = 0;
  // Replaces the state with the snapshot's, exactly. False (nothing changed) when there is no
  // snapshot of that name.
  virtual bool RestoreSnapshot(const std::string& name) = 0;
  // By name.
  virtual std::vector<SnapshotInfo> ListSnapshots() = 0;
  virtual bool DeleteSnapshot(const std::string& name) = 0;

  // --- monitoring (/metrics, /readyz) -------------------------------------------------------
  virtual std::int64_t CountAccountsInArrears() = 0;
  // Transitions due at or before `now` that have not run yet.
  virtual std::int64_t CountTransitionsDue(UnixSeconds now) = 0;
  // The schema versions recorded in schema_migrations, ascending.
  virtual std::vector<int> AppliedMigrations() = 0;
};

// A database. Write() and Read() run `fn` in one transaction: Write commits when fn returns
// ok and rolls back otherwise (so a failed purchase leaves nothing behind); Read never writes
// and does not wait behind a writer. A backend may roll back and run `fn` again after a
// conflict with a concurrent writer (deadlock, duplicate key, lost connection), so `fn` must
// not depend on anything it changed outside the transaction in an earlier attempt.
class Store {
 public:
  virtual ~Store() = default;

  template <typename T>
  Result<T> Write(const std::function<Result<T>(Transaction&)>& fn) {
    return Run<T>(fn, /*write=*/true);
  }
  template <typename T>
  Result<T> Read(const std::function<Result<T>(Transaction&)>& fn) {
    return Run<T>(fn, /*write=*/false);
  }

  // A short name for logs: "sqlite:/path" (never a password).
  virtual std::string Describe() const = 0;
  // Whether a read is local CPU work, with no round trip to another process (SQLite, the
  // in-memory store): reads may then be answered on the transport's I/O threads.
  virtual bool ReadsAreLocal() const = 0;

  // How long a store call may take when its caller set no CallDeadline (default 5 s).
  void set_call_timeout(std::chrono::milliseconds timeout) { call_timeout_ = timeout; }
  std::chrono::milliseconds call_timeout() const { return call_timeout_; }

  const StoreStats& stats() const { return stats_; }

  // Counts the transactions of this process that bumped the authentication generation (once
  // they are over), so a cache on this server can notice a change on the very next request.
  std::uint64_t local_auth_changes() const {
    return local_auth_changes_.load(std::memory_order_acquire);
  }

 protected:
  // Runs `fn` inside a transaction; commit iff it returns true. StoreError -> Error.
  virtual Status RunTransaction(const std::function<bool(Transaction&)>& fn, bool write) = 0;

 private:
  template <typename T>
  Result<T> Run(const std::function<Result<T>(Transaction&)>& fn, bool write) {
    // A caller that set no deadline (the scheduler, start-up) gets the store's default.
    std::optional<CallDeadline> default_deadline;
    if (!CallDeadline::Current()) default_deadline.emplace(DeadlineClock::now() + call_timeout_);
    // A request that waited out its deadline before reaching the store is answered at once.
    if (CallDeadline::Expired()) return DeadlinePassedError();
    std::optional<Result<T>> outcome;
    auto started = std::chrono::steady_clock::now();
    bool changed_auth = false;
    Status status = RunTransaction(
        [&](Transaction& tx) {
          outcome.emplace(fn(tx));
          changed_auth = changed_auth || tx.BumpedAuthGeneration();
          return outcome->ok();
        },
        write);
    Count(write ? stats_.write : stats_.read, std::chrono::steady_clock::now() - started, status);
    // Counted even when the commit failed: a needless cache refill costs little, a missed
    // change would break SPEC's "next request" rule.
    if (changed_auth) local_auth_changes_.fetch_add(1, std::memory_order_acq_rel);
    if (!status.ok()) return status.error();
    return std::move(*outcome);
  }

  static void Count(TransactionStats& stats, std::chrono::nanoseconds elapsed,
                    const Status& status) {
    stats.latency.Observe(elapsed);
    if (status.ok()) return;
    auto& failures =
        status.error().code == ErrorCode::kServiceUnavailable ? stats.unavailable : stats.internal;
    failures.fetch_add(1, std::memory_order_relaxed);
  }

  StoreStats stats_;
  std::atomic<std::uint64_t> local_auth_changes_{0};
  std::chrono::milliseconds call_timeout_{5000};
};

}  // namespace cuplane::store
