// The Transaction primitives of store.h, written once in SQL that SQLite and PostgreSQL both
// understand, over the small driver of sql_driver.h. Where the dialects must differ (how a new
// id is drawn, how a due transition is claimed, whether reads lock rows) a backend overrides a
// hook below; everything else is shared.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/sql/sql_driver.h"
#include "store/store.h"

namespace cuplane::store::sql {

class SqlTransaction : public Transaction {
 public:
  explicit SqlTransaction(Connection& connection) : db_(connection) {}

  std::optional<std::string> GetMeta(const std::string& key) override;
  void SetMeta(const std::string& key, const std::string& value) override;
  bool InsertMetaIfAbsent(const std::string& key, const std::string& value) override;

  bool AnyAccountExists() override;
  std::optional<core::Account> GetAccount(const std::string& account_id) override;
  void InsertAccount(const core::Account& account) override;
  void SetArrearsSince(const std::string& account_id, std::optional<UnixSeconds> since) override;
  core::Money PostLedgerEntry(const core::LedgerEntry& entry) override;
  std::vector<core::LedgerEntry> ListLedger(const std::string& account_id, std::int64_t before_id,
                                            int limit) override;
  core::Money SumLedger(const std::string& account_id) override;
  std::vector<AccountSummary> ListAccounts(const std::optional<AccountCursor>& after,
                                           int limit) override;

  std::optional<core::PostpaidAccount> GetPostpaidAccount(const std::string& account_id) override;
  void PutPostpaidAccount(const core::PostpaidAccount& account) override;
  std::vector<core::PostpaidAccount> ListUnscheduledPostpaidAccounts() override;
  std::optional<core::UsageSegment> GetOpenSegment(const std::string& instance_id) override;
  void PutSegment(const core::UsageSegment& segment) override;
  std::vector<core::UsageSegment> ListSegments(const std::string& account_id, UnixSeconds from,
                                               UnixSeconds to) override;

  bool UserExists(const std::string& account_id, const std::string& user_name) override;
  void InsertUser(const std::string& account_id, const std::string& user_name,
                  UnixSeconds created_at) override;
  void AddPolicy(const std::string& account_id, const std::string& user_name,
                 core::Policy policy) override;
  void RemovePolicy(const std::string& account_id, const std::string& user_name,
                    core::Policy policy) override;
  std::vector<core::Policy> ListPolicies(const std::string& account_id,
                                         const std::string& user_name) override;
  std::optional<core::AccessKey> GetAccessKey(const std::string& access_key) override;
  void InsertAccessKey(const core::AccessKey& key, UnixSeconds created_at) override;
  void SetAccessKeyEnabled(const std::string& access_key, bool enabled) override;
  std::optional<std::string> AnySealedSecret() override;
  std::int64_t AuthGeneration() override;
  void BumpAuthGeneration() override;
  bool BumpedAuthGeneration() const override { return bumped_auth_generation_; }

  std::optional<core::Service> GetService(const std::string& service_id) override;
  void InsertService(const core::Service& service) override;
  void UpdateService(const core::Service& service) override;
  std::vector<core::Service> ListServices(const std::string& account_id) override;
  std::vector<core::Service> ListServicesPage(const std::string& account_id,
                                              const ServiceCursor& after, bool reverse,
                                              int limit) override;

  std::optional<core::Pool> GetPool(const std::string& region, const std::string& type) override;
  std::vector<core::Pool> ListPools() override;
  bool SetPoolTotal(const std::string& region, const std::string& type,
                    std::int64_t total_units) override;
  bool TryAllocate(const std::string& region, const std::string& type, std::int64_t units) override;
  void Deallocate(const std::string& region, const std::string& type, std::int64_t units) override;
  std::optional<core::Price> GetPrice(const std::string& type) override;
  std::vector<core::Price> ListPrices() override;
  void SetPrice(const core::Price& price) override;

  void InsertInstance(const core::Instance& instance) override;
  void UpdateInstance(const core::Instance& instance) override;
  std::optional<core::Instance> GetInstance(const std::string& instance_id) override;
  std::vector<core::Instance> ListInstances(const InstanceFilter& filter) override;
  std::vector<core::Instance> ListLivePostpaid(const std::string& account_id) override;
  std::vector<core::Instance> ListUnits(const UnitQuery& query) override;
  std::int64_t SumLiveUnits(const std::string& region, const std::string& type) override;
  void InsertDeployment(const core::Deployment& deployment) override;
  std::optional<core::Deployment> GetDeployment(const std::string& instance_id,
                                                const std::string& service_id) override;
  void UpdateDeployment(const core::Deployment& deployment) override;
  void DeleteDeployment(const std::string& instance_id, const std::string& service_id) override;
  void DeleteDeployments(const std::string& instance_id) override;
  std::vector<core::Deployment> ListDeployments(const std::string& instance_id) override;
  std::vector<core::Deployment> ListDeploymentsOfService(const std::string& service_id) override;
  void RecordPastDeployment(const std::string& instance_id, const std::string& service_id,
                            UnixSeconds ended_at) override;
  bool ServedBy(const std::string& instance_id, const std::string& service_id) override;

  void ScheduleTransition(const core::Transition& transition) override;
  void CancelTransitions(const std::string& instance_id, core::TransitionKind kind) override;
  void CancelAccountTransitions(const std::string& account_id, core::TransitionKind kind) override;
  std::optional<core::Transition> ClaimNextDue(UnixSeconds now) override;
  void DeleteTransition(std::int64_t id) override;
  std::optional<UnixSeconds> NextDueTime() override;
  std::vector<core::Transition> ListTransitions(const std::string& instance_id) override;
  bool HasTransitionDueBefore(const std::string& account_id, UnixSeconds before) override;

  void InsertOrder(const core::Order& order) override;
  void AddFault(const core::Fault& fault) override;
  std::vector<core::Fault> ListFaults() override;
  void DeleteAllFaults() override;
  bool TakeFault(core::FaultOperation operation, const std::string& region,
                 const std::string& type) override;

  std::optional<core::IdempotencyRecord> GetIdempotency(const std::string& account_id,
                                                        const std::string& token) override;
  void PutIdempotency(const core::IdempotencyRecord& record) override;
  void DeleteIdempotencyBefore(UnixSeconds cutoff) override;

  // Implemented in sql_state.cc.
  void ClearState() override;
  SnapshotInfo SaveSnapshot(const std::string& name, UnixSeconds saved_at) override;
  bool RestoreSnapshot(const std::string& name) override;
  std::vector<SnapshotInfo> ListSnapshots() override;
  bool DeleteSnapshot(const std::string& name) override;

  std::int64_t CountAccountsInArrears() override;
  std::int64_t CountTransitionsDue(UnixSeconds now) override;
  std::vector<int> AppliedMigrations() override;

 protected:
  enum class IdSequence { kLedgerId, kTransitionId, kInstanceSeq, kServiceSeq };
  // An SQL expression, written into the INSERT itself, for the next value of ledger.id,
  // transitions.id, instances.seq or services.seq: unique, and greater than every value drawn
  // before on this database. In the INSERT, so that drawing it costs no statement of its own.
  virtual std::string_view NextIdSql(IdSequence sequence) const = 0;
  // The query behind ClaimNextDue: columns id, due_at, kind, account_id, instance_id of the
  // transition to run next among those with due_at <= ? (the one parameter), or no row.
  virtual std::string_view ClaimNextDueQuery() const = 0;
  // Appended to the reads of rows that rules read and then write back (accounts, instances).
  // Backends with concurrent writers lock those rows there in a write transaction, so that a
  // rule never decides on a value another transaction is about to change.
  virtual std::string_view RowLockClause() const { return {}; }

  // The catalog, for the whole-state operations (sql_state.cc). ColumnsQuery: every column of
  // every table of the schema, columns (table, column), in table order and, within a table,
  // in column order. ForeignKeysQuery: columns (child table, parent table).
  virtual std::string_view ColumnsQuery() const = 0;
  virtual std::string_view ForeignKeysQuery() const = 0;
  // Keeps other transactions out of `tables` until this one ends: with kShare nobody else
  // writes them, with kExclusive nobody else writes or takes kShare/kExclusive, with
  // kAccessExclusive nobody else even reads them. A backend with a single writer and snapshot
  // readers needs nothing.
  enum class TableLock { kShare, kExclusive, kAccessExclusive };
  virtual void LockTables(const std::vector<std::string>& tables, TableLock lock) {}
  // Makes `copy`, an empty table to hold a snapshot of `table`'s rows (sql_state.cc fills it).
  // By default a plain table of the same columns; a backend may give it more, so that
  // restoring from it is faster.
  virtual void CreateSnapshotCopy(const std::string& table, const std::string& copy);

  Connection& db() { return db_; }

 private:
  // The faults table's armed keys, as TakeFault first read them in this transaction; reset by
  // whatever writes the table here.
  struct FaultKey {
    std::string operation, region, type;
    bool operator<(const FaultKey& other) const {
      return std::tie(operation, region, type) <
             std::tie(other.operation, other.region, other.type);
    }
  };

  Connection& db_;
  bool bumped_auth_generation_ = false;
  std::optional<std::set<FaultKey>> armed_faults_;
  // The accounts GetAccount read in this transaction; dropped by whatever writes them here.
  std::map<std::string, core::Account> accounts_read_;
};

}  // namespace cuplane::store::sql
