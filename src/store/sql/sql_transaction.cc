#include "store/sql/sql_transaction.h"

#include <limits>

#include "store/state_tables.h"

namespace cuplane::store::sql {
namespace {

using core::Instance;

constexpr const char* kInstanceColumns =
    "instance_id, seq, account_id, service_id, region, type, replicas_count, total_units, "
    "payment_timing, status, created_at, start_time, expired_time, release_time, released_at, "
    "reservation_months, auto_renew, auto_renew_months, paid_months, prepaid_paid, unit_price, "
    "creator, order_id, pending_fault, term_months, term_unit_price, resize_from_units, "
    "resize_to_units, resize_order_id, resize_charge";

template <typename Enum, typename Parser>
Enum ParseStored(const std::string& text, Parser parse, const char* what) {
  auto value = parse(text);
  if (!value) {
    throw StoreError(StoreError::Kind::kInternal,
                     std::string("corrupt stored ") + what + ": " + text);
  }
  return *value;
}

Instance ReadInstance(const Statement& row) {
  Instance i;
  i.instance_id = row.Text(0);
  i.seq = row.Int(1);
  i.account_id = row.Text(2);
  i.service_id = row.Text(3);
  i.region = row.Text(4);
  i.type = row.Text(5);
  i.replicas_count = row.Int(6);
  i.total_units = row.Int(7);
  i.payment_timing =
      ParseStored<core::PaymentTiming>(row.Text(8), core::ParsePaymentTiming, "payment timing");
  i.status = ParseStored<core::InstanceStatus>(row.Text(9), core::ParseInstanceStatus, "status");
  i.created_at = row.Int(10);
  i.start_time = row.OptionalInt(11);
  i.expired_time = row.OptionalInt(12);
  i.release_time = row.OptionalInt(13);
  i.released_at = row.OptionalInt(14);
  i.reservation_months = static_cast<int>(row.Int(15));
  i.auto_renew = row.Int(16) != 0;
  i.auto_renew_months = static_cast<int>(row.Int(17));
  i.paid_months = static_cast<int>(row.Int(18));
  i.prepaid_paid = row.Int(19);
  i.unit_price = row.Int(20);
  i.creator = row.Text(21);
  i.order_id = row.Text(22);
  i.pending_fault = row.Int(23) != 0;
  i.term_months = static_cast<int>(row.Int(24));
  i.term_unit_price = row.Int(25);
  i.resize_from_units = row.Int(26);
  i.resize_to_units = row.Int(27);
  i.resize_order_id = row.Text(28);
  i.resize_charge = row.Int(29);
  return i;
}

// The lifecycle times and the renewal terms, eight columns from `first` on (start_time to
// paid_months), in the order of kInstanceColumns (InsertInstance and UpdateInstance both
// write them).
Statement& BindTimesAndRenewal(Statement& stmt, int first, const Instance& i) {
  return stmt.Bind(first, i.start_time)
      .Bind(first + 1, i.expired_time)
      .Bind(first + 2, i.release_time)
      .Bind(first + 3, i.released_at)
      .Bind(first + 4, std::int64_t{i.reservation_months})
      .Bind(first + 5, std::int64_t{i.auto_renew})
      .Bind(first + 6, std::int64_t{i.auto_renew_months})
      .Bind(first + 7, std::int64_t{i.paid_months});
}

// The term paid for and the resize in flight, six columns from `first` on, in the order of
// kInstanceColumns (InsertInstance and UpdateInstance both write them).
Statement& BindTermAndResize(Statement& stmt, int first, const Instance& i) {
  return stmt.Bind(first, std::int64_t{i.term_months})
      .Bind(first + 1, i.term_unit_price)
      .Bind(first + 2, i.resize_from_units)
      .Bind(first + 3, i.resize_to_units)
      .Bind(first + 4, i.resize_order_id)
      .Bind(first + 5, i.resize_charge);
}

constexpr const char* kServiceColumns =
    "service_id, account_id, name, region, type, units_per_replica, creator, created_at, seq, "
    "description, url_suffix, model_set_id, model_id, lifecycle, failed, deactivate_at, "
    "pending_fault";

core::Service ReadService(const Statement& row) {
  core::Service s;
  s.service_id = row.Text(0);
  s.account_id = row.Text(1);
  s.name = row.Text(2);
  s.region = row.Text(3);
  s.type = row.Text(4);
  s.units_per_replica = row.Int(5);
  s.creator = row.Text(6);
  s.created_at = row.Int(7);
  s.seq = row.Int(8);
  s.description = row.Text(9);
  s.url_suffix = row.Text(10);
  s.model_set_id = row.Text(11);
  s.model_id = row.Text(12);
  s.lifecycle = ParseStored<core::ServiceLifecycle>(row.Text(13), core::ParseServiceLifecycle,
                                                    "service lifecycle");
  s.failed = row.Int(14) != 0;
  s.deactivate_at = row.OptionalInt(15);
  s.pending_fault = row.Int(16) != 0;
  return s;
}

constexpr const char* kDeploymentColumns =
    "instance_id, service_id, deployed_units, replicas, previous_replicas, scale_status, "
    "scale_due_at, pending_fault";

core::Deployment ReadDeployment(const Statement& row) {
  core::Deployment d;
  d.instance_id = row.Text(0);
  d.service_id = row.Text(1);
  d.deployed_units = row.Int(2);
  d.replicas = row.Int(3);
  d.previous_replicas = row.Int(4);
  d.scale_status =
      ParseStored<core::ScaleStatus>(row.Text(5), core::ParseScaleStatus, "scale status");
  d.scale_due_at = row.OptionalInt(6);
  d.pending_fault = row.Int(7) != 0;
  return d;
}

core::Transition ReadTransition(const Statement& row) {
  core::Transition t;
  t.id = row.Int(0);
  t.due_at = row.Int(1);
  t.kind =
      ParseStored<core::TransitionKind>(row.Text(2), core::ParseTransitionKind, "transition kind");
  t.account_id = row.Text(3);
  t.instance_id = row.Text(4);
  return t;
}

}  // namespace

// --- meta -------------------------------------------------------------------------------------

std::optional<std::string> SqlTransaction::GetMeta(const std::string& key) {
  auto stmt = db_.Prepare("SELECT value FROM meta WHERE key = ?");
  stmt.Bind(1, key);
  if (!stmt.Step()) return std::nullopt;
  return stmt.Text(0);
}

void SqlTransaction::SetMeta(const std::string& key, const std::string& value) {
  db_.Prepare(
         "INSERT INTO meta (key, value) VALUES (?, ?) "
         "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .Bind(1, key)
      .Bind(2, value)
      .Defer();
}

bool SqlTransaction::InsertMetaIfAbsent(const std::string& key, const std::string& value) {
  auto stmt = db_.Prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
  stmt.Bind(1, key).Bind(2, value).Run();
  return stmt.Changes() == 1;
}

// --- accounts and money ------------------------------------------------------------------------

bool SqlTransaction::AnyAccountExists() {
  auto stmt = db_.Prepare("SELECT 1 FROM accounts LIMIT 1");
  return stmt.Step();
}

std::optional<core::Account> SqlTransaction::GetAccount(const std::string& account_id) {
  // Read once per transaction: a purchase reads its account twice (the shared purchase step
  // reads it again). The row cannot change under the transaction (a write transaction locks it,
  // a read sees one snapshot), only by its own writes, which drop it from here.
  if (auto read = accounts_read_.find(account_id); read != accounts_read_.end()) {
    return read->second;
  }
  auto stmt = db_.Prepare(
      std::string("SELECT account_id, name, balance, in_arrears_since, created_at FROM accounts "
                  "WHERE account_id = ?") +
      std::string(RowLockClause()));
  stmt.Bind(1, account_id);
  if (!stmt.Step()) return std::nullopt;
  core::Account a;
  a.account_id = stmt.Text(0);
  a.name = stmt.Text(1);
  a.balance = stmt.Int(2);
  a.in_arrears_since = stmt.OptionalInt(3);
  a.created_at = stmt.Int(4);
  accounts_read_.emplace(account_id, a);
  return a;
}

void SqlTransaction::InsertAccount(const core::Account& account) {
  accounts_read_.erase(account.account_id);
  db_.Prepare("INSERT INTO accounts (account_id, name, balance, created_at) VALUES (?, ?, 0, ?)")
      .Bind(1, account.account_id)
      .Bind(2, account.name)
      .Bind(3, account.created_at)
      .Run();
}

void SqlTransaction::SetArrearsSince(const std::string& account_id,
                                     std::optional<UnixSeconds> since) {
  accounts_read_.erase(account_id);
  db_.Prepare("UPDATE accounts SET in_arrears_since = ? WHERE account_id = ?")
      .Bind(1, since)
      .Bind(2, account_id)
      .Defer();
}

core::Money SqlTransaction::PostLedgerEntry(const core::LedgerEntry& entry) {
  accounts_read_.erase(entry.account_id);
  auto update = db_.Prepare(
      "UPDATE accounts SET balance = balance + ? WHERE account_id = ? RETURNING balance");
  update.Bind(1, entry.amount).Bind(2, entry.account_id);
  if (!update.Step()) {
    throw StoreError(StoreError::Kind::kInternal, "ledger entry for a missing account");
  }
  core::Money balance = update.Int(0);
  update.Run();
  db_.Prepare(
         "INSERT INTO ledger (id, account_id, time, amount, kind, instance_id, note, order_id) "
         "VALUES (" +
         std::string(NextIdSql(IdSequence::kLedgerId)) + ", ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, entry.account_id)
      .Bind(2, entry.time)
      .Bind(3, entry.amount)
      .Bind(4, core::ToString(entry.kind))
      .Bind(5, entry.instance_id)
      .Bind(6, entry.note)
      .Bind(7, entry.order_id)
      .Defer();
  return balance;
}

std::vector<core::LedgerEntry> SqlTransaction::ListLedger(const std::string& account_id,
                                                          std::int64_t before_id, int limit) {
  auto stmt = db_.Prepare(
      "SELECT id, account_id, time, amount, kind, instance_id, note, order_id FROM ledger "
      "WHERE account_id = ? AND (CAST(? AS BIGINT) <= 0 OR id < ?) ORDER BY id DESC LIMIT ?");
  stmt.Bind(1, account_id).Bind(2, before_id).Bind(3, before_id).Bind(4, std::int64_t{limit});
  std::vector<core::LedgerEntry> entries;
  while (stmt.Step()) {
    core::LedgerEntry e;
    e.id = stmt.Int(0);
    e.account_id = stmt.Text(1);
    e.time = stmt.Int(2);
    e.amount = stmt.Int(3);
    e.kind = ParseStored<core::LedgerKind>(stmt.Text(4), core::ParseLedgerKind, "ledger kind");
    e.instance_id = stmt.Text(5);
    e.note = stmt.Text(6);
    e.order_id = stmt.Text(7);
    entries.push_back(std::move(e));
  }
  return entries;
}

core::Money SqlTransaction::SumLedger(const std::string& account_id) {
  auto stmt = db_.Prepare("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE account_id = ?");
  stmt.Bind(1, account_id);
  stmt.Step();
  return stmt.Int(0);
}

std::vector<AccountSummary> SqlTransaction::ListAccounts(const std::optional<AccountCursor>& after,
                                                        int limit) {
  auto stmt = db_.Prepare(
      "SELECT a.account_id, a.name, a.balance, a.in_arrears_since, a.created_at, "
      " (SELECT COUNT(*) FROM instances i WHERE i.account_id = a.account_id"
      "  AND i.status NOT IN ('Released', 'CreateFailed')) "
      "FROM accounts a WHERE CAST(? AS BIGINT) = 0 OR a.created_at > ? OR (a.created_at = ? AND a.account_id > ?) "
      "ORDER BY a.created_at, a.account_id LIMIT ?");
  AccountCursor cursor = after.value_or(AccountCursor{});
  stmt.Bind(1, std::int64_t{after.has_value()})
      .Bind(2, cursor.created_at)
      .Bind(3, cursor.created_at)
      .Bind(4, cursor.account_id)
      .Bind(5, std::int64_t{limit});
  std::vector<AccountSummary> accounts;
  while (stmt.Step()) {
    AccountSummary summary;
    summary.account = core::Account{stmt.Text(0), stmt.Text(1), stmt.Int(2), stmt.OptionalInt(3),
                                    stmt.Int(4)};
    summary.live_units = stmt.Int(5);
    accounts.push_back(std::move(summary));
  }
  return accounts;
}

// --- Postpaid billing ------------------------------------------------------------------------

namespace {

constexpr const char* kPostpaidAccountColumns =
    "account_id, rate, usage_fen, usage_remainder, accrued_until, charged, next_settlement_at";

core::PostpaidAccount ReadPostpaidAccount(const Statement& row) {
  core::PostpaidAccount a;
  a.account_id = row.Text(0);
  a.rate = row.Int(1);
  a.usage = core::Usage{row.Int(2), row.Int(3)};
  a.accrued_until = row.Int(4);
  a.charged = row.Int(5);
  a.next_settlement_at = row.OptionalInt(6);
  return a;
}

constexpr const char* kSegmentColumns =
    "instance_id, account_id, type, start_at, end_at, units, unit_price";

core::UsageSegment ReadSegment(const Statement& row) {
  return core::UsageSegment{row.Text(0),        row.Text(1), row.Text(2), row.Int(3),
                            row.OptionalInt(4), row.Int(5),  row.Int(6)};
}

}  // namespace

std::optional<core::PostpaidAccount> SqlTransaction::GetPostpaidAccount(
    const std::string& account_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kPostpaidAccountColumns +
                          " FROM postpaid_accounts WHERE account_id = ?" +
                          std::string(RowLockClause()));
  stmt.Bind(1, account_id);
  if (!stmt.Step()) return std::nullopt;
  return ReadPostpaidAccount(stmt);
}

void SqlTransaction::PutPostpaidAccount(const core::PostpaidAccount& a) {
  db_.Prepare(std::string("INSERT INTO postpaid_accounts (") + kPostpaidAccountColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET "
              "rate = excluded.rate, usage_fen = excluded.usage_fen, "
              "usage_remainder = excluded.usage_remainder, "
              "accrued_until = excluded.accrued_until, charged = excluded.charged, "
              "next_settlement_at = excluded.next_settlement_at")
      .Bind(1, a.account_id)
      .Bind(2, a.rate)
      .Bind(3, a.usage.fen)
      .Bind(4, a.usage.remainder)
      .Bind(5, a.accrued_until)
      .Bind(6, a.charged)
      .Bind(7, a.next_settlement_at)
      .Defer();
}

std::vector<core::PostpaidAccount> SqlTransaction::ListUnscheduledPostpaidAccounts() {
  auto stmt = db_.Prepare(std::string("SELECT ") + kPostpaidAccountColumns +
                          " FROM postpaid_accounts WHERE rate > 0 AND next_settlement_at IS NULL "
                          "ORDER BY account_id");
  std::vector<core::PostpaidAccount> accounts;
  while (stmt.Step()) accounts.push_back(ReadPostpaidAccount(stmt));
  return accounts;
}

std::optional<core::UsageSegment> SqlTransaction::GetOpenSegment(const std::string& instance_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kSegmentColumns +
                          " FROM usage_segments WHERE instance_id = ? AND end_at IS NULL");
  stmt.Bind(1, instance_id);
  if (!stmt.Step()) return std::nullopt;
  return ReadSegment(stmt);
}

void SqlTransaction::PutSegment(const core::UsageSegment& s) {
  db_.Prepare(std::string("INSERT INTO usage_segments (") + kSegmentColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id, start_at) DO UPDATE SET "
              "end_at = excluded.end_at, units = excluded.units")
      .Bind(1, s.instance_id)
      .Bind(2, s.account_id)
      .Bind(3, s.type)
      .Bind(4, s.start_at)
      .Bind(5, s.end_at)
      .Bind(6, s.units)
      .Bind(7, s.unit_price)
      .Defer();
}

std::vector<core::UsageSegment> SqlTransaction::ListSegments(const std::string& account_id,
                                                             UnixSeconds from, UnixSeconds to) {
  auto stmt = db_.Prepare(
      "SELECT s.instance_id, s.account_id, s.type, s.start_at, s.end_at, s.units, s.unit_price "
      "FROM usage_segments s JOIN instances i ON i.instance_id = s.instance_id "
      "WHERE s.account_id = ? AND s.start_at < ? AND (s.end_at IS NULL OR s.end_at > ?) "
      "ORDER BY i.seq, s.start_at");
  stmt.Bind(1, account_id).Bind(2, to).Bind(3, from);
  std::vector<core::UsageSegment> segments;
  while (stmt.Step()) segments.push_back(ReadSegment(stmt));
  return segments;
}

// --- users, policies, keys ---------------------------------------------------------------------

bool SqlTransaction::UserExists(const std::string& account_id, const std::string& user_name) {
  auto stmt = db_.Prepare("SELECT 1 FROM users WHERE account_id = ? AND name = ?");
  stmt.Bind(1, account_id).Bind(2, user_name);
  return stmt.Step();
}

void SqlTransaction::InsertUser(const std::string& account_id, const std::string& user_name,
                                UnixSeconds created_at) {
  db_.Prepare("INSERT INTO users (account_id, name, created_at) VALUES (?, ?, ?)")
      .Bind(1, account_id)
      .Bind(2, user_name)
      .Bind(3, created_at)
      .Run();
  BumpAuthGeneration();
}

void SqlTransaction::AddPolicy(const std::string& account_id, const std::string& user_name,
                               core::Policy policy) {
  db_.Prepare(
         "INSERT INTO user_policies (account_id, user_name, policy) VALUES (?, ?, ?) "
         "ON CONFLICT DO NOTHING")
      .Bind(1, account_id)
      .Bind(2, user_name)
      .Bind(3, core::ToString(policy))
      .Defer();
  BumpAuthGeneration();
}

void SqlTransaction::RemovePolicy(const std::string& account_id, const std::string& user_name,
                                  core::Policy policy) {
  db_.Prepare("DELETE FROM user_policies WHERE account_id = ? AND user_name = ? AND policy = ?")
      .Bind(1, account_id)
      .Bind(2, user_name)
      .Bind(3, core::ToString(policy))
      .Defer();
  BumpAuthGeneration();
}

std::vector<core::Policy> SqlTransaction::ListPolicies(const std::string& account_id,
                                                       const std::string& user_name) {
  auto stmt = db_.Prepare(
      "SELECT policy FROM user_policies WHERE account_id = ? AND user_name = ? ORDER BY policy");
  stmt.Bind(1, account_id).Bind(2, user_name);
  std::vector<core::Policy> policies;
  while (stmt.Step()) {
    policies.push_back(ParseStored<core::Policy>(stmt.Text(0), core::ParsePolicy, "policy"));
  }
  return policies;
}

std::optional<std::string> SqlTransaction::AnySealedSecret() {
  auto stmt = db_.Prepare("SELECT secret_key FROM access_keys LIMIT 1");
  if (!stmt.Step()) return std::nullopt;
  return stmt.Text(0);
}

std::optional<core::AccessKey> SqlTransaction::GetAccessKey(const std::string& access_key) {
  auto stmt = db_.Prepare(
      "SELECT access_key, secret_key, is_operator, enabled, account_id, user_name "
      "FROM access_keys WHERE access_key = ?");
  stmt.Bind(1, access_key);
  if (!stmt.Step()) return std::nullopt;
  core::AccessKey key;
  key.access_key = stmt.Text(0);
  key.secret_key = stmt.Text(1);
  key.is_operator = stmt.Int(2) != 0;
  key.enabled = stmt.Int(3) != 0;
  key.account_id = stmt.Text(4);
  key.user_name = stmt.Text(5);
  return key;
}

void SqlTransaction::InsertAccessKey(const core::AccessKey& key, UnixSeconds created_at) {
  db_.Prepare(
         "INSERT INTO access_keys (access_key, secret_key, is_operator, enabled, account_id, "
         "user_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, key.access_key)
      .Bind(2, key.secret_key)
      .Bind(3, std::int64_t{key.is_operator})
      .Bind(4, std::int64_t{key.enabled})
      .Bind(5, key.account_id)
      .Bind(6, key.user_name)
      .Bind(7, created_at)
      .Run();
  BumpAuthGeneration();
}

void SqlTransaction::SetAccessKeyEnabled(const std::string& access_key, bool enabled) {
  db_.Prepare("UPDATE access_keys SET enabled = ? WHERE access_key = ?")
      .Bind(1, std::int64_t{enabled})
      .Bind(2, access_key)
      .Defer();
  BumpAuthGeneration();
}

// The generation lives in meta as decimal text; a missing row is generation 0.
std::int64_t SqlTransaction::AuthGeneration() {
  auto stmt = db_.Prepare("SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?");
  stmt.Bind(1, kMetaAuthGeneration);
  return stmt.Step() ? stmt.Int(0) : 0;
}

void SqlTransaction::BumpAuthGeneration() {
  db_.Prepare(
         "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET "
         "value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)")
      .Bind(1, kMetaAuthGeneration)
      .Defer();
  bumped_auth_generation_ = true;
}

// --- services ----------------------------------------------------------------------------------

std::optional<core::Service> SqlTransaction::GetService(const std::string& service_id) {
  auto stmt =
      db_.Prepare(std::string("SELECT ") + kServiceColumns + " FROM services WHERE service_id = ?");
  stmt.Bind(1, service_id);
  if (!stmt.Step()) return std::nullopt;
  return ReadService(stmt);
}

void SqlTransaction::InsertService(const core::Service& s) {
  db_.Prepare(std::string("INSERT INTO services (") + kServiceColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + std::string(NextIdSql(IdSequence::kServiceSeq)) +
              ", ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, s.service_id)
      .Bind(2, s.account_id)
      .Bind(3, s.name)
      .Bind(4, s.region)
      .Bind(5, s.type)
      .Bind(6, s.units_per_replica)
      .Bind(7, s.creator)
      .Bind(8, s.created_at)
      .Bind(9, s.description)
      .Bind(10, s.url_suffix)
      .Bind(11, s.model_set_id)
      .Bind(12, s.model_id)
      .Bind(13, core::ToString(s.lifecycle))
      .Bind(14, std::int64_t{s.failed})
      .Bind(15, s.deactivate_at)
      .Bind(16, std::int64_t{s.pending_fault})
      .Run();
}

void SqlTransaction::UpdateService(const core::Service& s) {
  auto stmt = db_.Prepare(
      "UPDATE services SET lifecycle = ?, failed = ?, deactivate_at = ?, pending_fault = ? "
      "WHERE service_id = ?");
  stmt.Bind(1, core::ToString(s.lifecycle))
      .Bind(2, std::int64_t{s.failed})
      .Bind(3, s.deactivate_at)
      .Bind(4, std::int64_t{s.pending_fault})
      .Bind(5, s.service_id)
      .Run();
  if (stmt.Changes() == 0) {
    throw StoreError(StoreError::Kind::kInternal, "updating a missing service");
  }
}

std::vector<core::Service> SqlTransaction::ListServices(const std::string& account_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kServiceColumns +
                          " FROM services WHERE account_id = ? ORDER BY created_at, seq");
  stmt.Bind(1, account_id);
  std::vector<core::Service> services;
  while (stmt.Step()) services.push_back(ReadService(stmt));
  return services;
}

std::vector<core::Service> SqlTransaction::ListServicesPage(const std::string& account_id,
                                                            const ServiceCursor& after,
                                                            bool reverse, int limit) {
  std::string query = std::string("SELECT ") + kServiceColumns +
                      " FROM services WHERE account_id = ? AND (CAST(? AS BIGINT) = 0 OR ";
  query += reverse ? "created_at < ? OR (created_at = ? AND seq < ?)) "
                     "ORDER BY created_at DESC, seq DESC LIMIT ?"
                   : "created_at > ? OR (created_at = ? AND seq > ?)) "
                     "ORDER BY created_at, seq LIMIT ?";
  auto stmt = db_.Prepare(query);
  stmt.Bind(1, account_id)
      .Bind(2, std::int64_t{after.started})
      .Bind(3, after.created_at)
      .Bind(4, after.created_at)
      .Bind(5, after.seq)
      .Bind(6, std::int64_t{limit});
  std::vector<core::Service> services;
  while (stmt.Step()) services.push_back(ReadService(stmt));
  return services;
}

// --- pools and prices --------------------------------------------------------------------------

std::optional<core::Pool> SqlTransaction::GetPool(const std::string& region,
                                                  const std::string& type) {
  auto stmt = db_.Prepare(
      "SELECT region, type, total_units, allocated_units FROM pools WHERE region = ? AND type = ?");
  stmt.Bind(1, region).Bind(2, type);
  if (!stmt.Step()) return std::nullopt;
  return core::Pool{stmt.Text(0), stmt.Text(1), stmt.Int(2), stmt.Int(3)};
}

std::vector<core::Pool> SqlTransaction::ListPools() {
  auto stmt = db_.Prepare(
      "SELECT region, type, total_units, allocated_units FROM pools ORDER BY region, type");
  std::vector<core::Pool> pools;
  while (stmt.Step()) {
    pools.push_back(core::Pool{stmt.Text(0), stmt.Text(1), stmt.Int(2), stmt.Int(3)});
  }
  return pools;
}

bool SqlTransaction::SetPoolTotal(const std::string& region, const std::string& type,
                                  std::int64_t total_units) {
  auto stmt = db_.Prepare(
      "INSERT INTO pools (region, type, total_units, allocated_units) VALUES (?, ?, ?, 0) "
      "ON CONFLICT (region, type) DO UPDATE SET total_units = excluded.total_units "
      "WHERE pools.allocated_units <= excluded.total_units");
  stmt.Bind(1, region).Bind(2, type).Bind(3, total_units).Run();
  return stmt.Changes() > 0;
}

bool SqlTransaction::TryAllocate(const std::string& region, const std::string& type,
                                 std::int64_t units) {
  auto stmt = db_.Prepare(
      "UPDATE pools SET allocated_units = allocated_units + ? "
      "WHERE region = ? AND type = ? AND allocated_units + ? <= total_units");
  stmt.Bind(1, units).Bind(2, region).Bind(3, type).Bind(4, units).Run();
  return stmt.Changes() > 0;
}

void SqlTransaction::Deallocate(const std::string& region, const std::string& type,
                                std::int64_t units) {
  auto stmt = db_.Prepare(
      "UPDATE pools SET allocated_units = allocated_units - ? WHERE region = ? AND type = ?");
  stmt.Bind(1, units).Bind(2, region).Bind(3, type).Run();
  if (stmt.Changes() == 0) {
    throw StoreError(StoreError::Kind::kInternal, "deallocating from a missing pool");
  }
}

std::optional<core::Price> SqlTransaction::GetPrice(const std::string& type) {
  auto stmt = db_.Prepare(
      "SELECT type, prepaid_per_unit_month, postpaid_per_unit_hour FROM prices WHERE type = ?");
  stmt.Bind(1, type);
  if (!stmt.Step()) return std::nullopt;
  return core::Price{stmt.Text(0), stmt.Int(1), stmt.Int(2)};
}

std::vector<core::Price> SqlTransaction::ListPrices() {
  auto stmt = db_.Prepare(
      "SELECT type, prepaid_per_unit_month, postpaid_per_unit_hour FROM prices ORDER BY type");
  std::vector<core::Price> prices;
  while (stmt.Step()) prices.push_back(core::Price{stmt.Text(0), stmt.Int(1), stmt.Int(2)});
  return prices;
}

void SqlTransaction::SetPrice(const core::Price& price) {
  db_.Prepare(
         "INSERT INTO prices (type, prepaid_per_unit_month, postpaid_per_unit_hour) "
         "VALUES (?, ?, ?) ON CONFLICT (type) DO UPDATE SET "
         "prepaid_per_unit_month = excluded.prepaid_per_unit_month, "
         "postpaid_per_unit_hour = excluded.postpaid_per_unit_hour")
      .Bind(1, price.type)
      .Bind(2, price.prepaid_per_unit_month)
      .Bind(3, price.postpaid_per_unit_hour)
      .Defer();
}

// --- instances and deployments -----------------------------------------------------------------

void SqlTransaction::InsertInstance(const Instance& i) {
  auto stmt = db_.Prepare(std::string("INSERT INTO instances (") + kInstanceColumns +
                          ") VALUES (?, " + std::string(NextIdSql(IdSequence::kInstanceSeq)) +
                          ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?)");
  stmt.Bind(1, i.instance_id)
      .Bind(2, i.account_id)
      .Bind(3, i.service_id)
      .Bind(4, i.region)
      .Bind(5, i.type)
      .Bind(6, i.replicas_count)
      .Bind(7, i.total_units)
      .Bind(8, core::ToString(i.payment_timing))
      .Bind(9, core::ToString(i.status))
      .Bind(10, i.created_at);
  BindTimesAndRenewal(stmt, 11, i)
      .Bind(19, i.prepaid_paid)
      .Bind(20, i.unit_price)
      .Bind(21, i.creator)
      .Bind(22, i.order_id)
      .Bind(23, std::int64_t{i.pending_fault});
  BindTermAndResize(stmt, 24, i).Defer();
}

void SqlTransaction::UpdateInstance(const Instance& i) {
  // Identity, placement and purchase price never change after purchase; the lifecycle, the
  // size (a resize) and the term paid for (a renewal) do.
  auto stmt = db_.Prepare(
      "UPDATE instances SET status = ?, start_time = ?, expired_time = ?, release_time = ?, "
      "released_at = ?, reservation_months = ?, auto_renew = ?, auto_renew_months = ?, "
      "paid_months = ?, pending_fault = ?, total_units = ?, term_months = ?, "
      "term_unit_price = ?, resize_from_units = ?, resize_to_units = ?, resize_order_id = ?, "
      "resize_charge = ? WHERE instance_id = ?");
  stmt.Bind(1, core::ToString(i.status));
  BindTimesAndRenewal(stmt, 2, i)
      .Bind(10, std::int64_t{i.pending_fault})
      .Bind(11, i.total_units);
  BindTermAndResize(stmt, 12, i).Bind(18, i.instance_id).Run();
  if (stmt.Changes() == 0) {
    throw StoreError(StoreError::Kind::kInternal, "updating a missing instance");
  }
}

std::optional<Instance> SqlTransaction::GetInstance(const std::string& instance_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kInstanceColumns +
                          " FROM instances WHERE instance_id = ?" + std::string(RowLockClause()));
  stmt.Bind(1, instance_id);
  if (!stmt.Step()) return std::nullopt;
  return ReadInstance(stmt);
}

std::vector<Instance> SqlTransaction::ListInstances(const InstanceFilter& filter) {
  // The candidates come from three index lookups (bought for the service, deployed to it, once
  // deployed to it), so
  // the cost follows the service's units; "service_id = ? OR instance_id IN (...)" made both
  // SQLite and PostgreSQL walk every unit of the account.
  auto stmt = db_.Prepare(std::string("SELECT ") + kInstanceColumns +
                          " FROM instances WHERE instance_id IN "
                          "(SELECT instance_id FROM instances WHERE account_id = ? AND service_id = ? "
                          " UNION SELECT d.instance_id FROM deployments d JOIN instances o "
                          " ON o.instance_id = d.instance_id WHERE d.service_id = ? AND o.account_id = ? "
                          " UNION SELECT p.instance_id FROM past_deployments p JOIN instances q "
                          " ON q.instance_id = p.instance_id WHERE p.service_id = ? AND q.account_id = ?) "
                          "AND (? = '' OR payment_timing = ?) "
                          "AND (released_at IS NULL OR released_at >= ?) "
                          "ORDER BY seq DESC");
  std::string payment =
      filter.payment_timing ? std::string(core::ToString(*filter.payment_timing)) : std::string();
  stmt.Bind(1, filter.account_id)
      .Bind(2, filter.service_id)
      .Bind(3, filter.service_id)
      .Bind(4, filter.account_id)
      .Bind(5, filter.service_id)
      .Bind(6, filter.account_id)
      .Bind(7, payment)
      .Bind(8, payment)
      .Bind(9, filter.hide_released_before);
  std::vector<Instance> instances;
  while (stmt.Step()) instances.push_back(ReadInstance(stmt));
  return instances;
}

std::vector<Instance> SqlTransaction::ListLivePostpaid(const std::string& account_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kInstanceColumns +
                          " FROM instances WHERE account_id = ? AND payment_timing = 'Postpaid' "
                          "AND status NOT IN ('Released', 'CreateFailed') ORDER BY seq" +
                          std::string(RowLockClause()));
  stmt.Bind(1, account_id);
  std::vector<Instance> instances;
  while (stmt.Step()) instances.push_back(ReadInstance(stmt));
  return instances;
}

std::vector<Instance> SqlTransaction::ListUnits(const UnitQuery& q) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kInstanceColumns +
                          " FROM instances WHERE (? = '' OR account_id = ?) "
                          "AND (? = '' OR region = ?) AND (? = '' OR type = ?) "
                          "AND (? = '' OR status = ?) AND (? = '' OR payment_timing = ?) "
                          "AND (released_at IS NULL OR released_at >= ?) "
                          "AND (CAST(? AS BIGINT) = 0 OR created_at < ? "
                          "     OR (created_at = ? AND seq < ?)) "
                          "ORDER BY created_at DESC, seq DESC LIMIT ?");
  std::string status = q.status ? std::string(core::ToString(*q.status)) : std::string();
  std::string payment =
      q.payment_timing ? std::string(core::ToString(*q.payment_timing)) : std::string();
  store::UnitCursor after = q.after.value_or(store::UnitCursor{});
  stmt.Bind(1, q.account_id)
      .Bind(2, q.account_id)
      .Bind(3, q.region)
      .Bind(4, q.region)
      .Bind(5, q.type)
      .Bind(6, q.type)
      .Bind(7, status)
      .Bind(8, status)
      .Bind(9, payment)
      .Bind(10, payment)
      .Bind(11, q.hide_released_before.value_or(std::numeric_limits<std::int64_t>::min()))
      .Bind(12, std::int64_t{q.after.has_value()})
      .Bind(13, after.created_at)
      .Bind(14, after.created_at)
      .Bind(15, after.seq)
      .Bind(16, q.limit > 0 ? std::int64_t{q.limit} : std::numeric_limits<std::int64_t>::max());
  std::vector<Instance> instances;
  while (stmt.Step()) instances.push_back(ReadInstance(stmt));
  return instances;
}

std::int64_t SqlTransaction::SumLiveUnits(const std::string& region, const std::string& type) {
  auto stmt = db_.Prepare(
      "SELECT COALESCE(SUM(total_units), 0) FROM instances WHERE region = ? AND type = ? "
      "AND status NOT IN ('Released', 'CreateFailed')");
  stmt.Bind(1, region).Bind(2, type);
  stmt.Step();
  return stmt.Int(0);
}

void SqlTransaction::InsertDeployment(const core::Deployment& d) {
  db_.Prepare(std::string("INSERT INTO deployments (") + kDeploymentColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, d.instance_id)
      .Bind(2, d.service_id)
      .Bind(3, d.deployed_units)
      .Bind(4, d.replicas)
      .Bind(5, d.previous_replicas)
      .Bind(6, core::ToString(d.scale_status))
      .Bind(7, d.scale_due_at)
      .Bind(8, std::int64_t{d.pending_fault})
      .Defer();
}

std::optional<core::Deployment> SqlTransaction::GetDeployment(const std::string& instance_id,
                                                              const std::string& service_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kDeploymentColumns +
                          " FROM deployments WHERE instance_id = ? AND service_id = ?");
  stmt.Bind(1, instance_id).Bind(2, service_id);
  if (!stmt.Step()) return std::nullopt;
  return ReadDeployment(stmt);
}

void SqlTransaction::UpdateDeployment(const core::Deployment& d) {
  auto stmt = db_.Prepare(
      "UPDATE deployments SET deployed_units = ?, replicas = ?, previous_replicas = ?, "
      "scale_status = ?, scale_due_at = ?, pending_fault = ? "
      "WHERE instance_id = ? AND service_id = ?");
  stmt.Bind(1, d.deployed_units)
      .Bind(2, d.replicas)
      .Bind(3, d.previous_replicas)
      .Bind(4, core::ToString(d.scale_status))
      .Bind(5, d.scale_due_at)
      .Bind(6, std::int64_t{d.pending_fault})
      .Bind(7, d.instance_id)
      .Bind(8, d.service_id)
      .Run();
  if (stmt.Changes() == 0) {
    throw StoreError(StoreError::Kind::kInternal, "updating a missing deployment");
  }
}

void SqlTransaction::DeleteDeployment(const std::string& instance_id,
                                      const std::string& service_id) {
  db_.Prepare("DELETE FROM deployments WHERE instance_id = ? AND service_id = ?")
      .Bind(1, instance_id)
      .Bind(2, service_id)
      .Defer();
}

void SqlTransaction::DeleteDeployments(const std::string& instance_id) {
  db_.Prepare("DELETE FROM deployments WHERE instance_id = ?").Bind(1, instance_id).Defer();
}

std::vector<core::Deployment> SqlTransaction::ListDeployments(const std::string& instance_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kDeploymentColumns +
                          " FROM deployments WHERE instance_id = ? ORDER BY service_id");
  stmt.Bind(1, instance_id);
  std::vector<core::Deployment> deployments;
  while (stmt.Step()) deployments.push_back(ReadDeployment(stmt));
  return deployments;
}

std::vector<core::Deployment> SqlTransaction::ListDeploymentsOfService(
    const std::string& service_id) {
  auto stmt = db_.Prepare(std::string("SELECT ") + kDeploymentColumns +
                          " FROM deployments WHERE service_id = ? ORDER BY instance_id");
  stmt.Bind(1, service_id);
  std::vector<core::Deployment> deployments;
  while (stmt.Step()) deployments.push_back(ReadDeployment(stmt));
  return deployments;
}

void SqlTransaction::RecordPastDeployment(const std::string& instance_id,
                                          const std::string& service_id, UnixSeconds ended_at) {
  db_.Prepare(
         "INSERT INTO past_deployments (instance_id, service_id, ended_at) VALUES (?, ?, ?) "
         "ON CONFLICT (instance_id, service_id) DO UPDATE SET ended_at = excluded.ended_at")
      .Bind(1, instance_id)
      .Bind(2, service_id)
      .Bind(3, ended_at)
      .Defer();
}

bool SqlTransaction::ServedBy(const std::string& instance_id, const std::string& service_id) {
  auto stmt = db_.Prepare(
      "SELECT 1 FROM deployments WHERE instance_id = ? AND service_id = ? "
      "UNION ALL SELECT 1 FROM past_deployments WHERE instance_id = ? AND service_id = ?");
  stmt.Bind(1, instance_id).Bind(2, service_id).Bind(3, instance_id).Bind(4, service_id);
  return stmt.Step();
}

// --- timed transitions -------------------------------------------------------------------------

void SqlTransaction::ScheduleTransition(const core::Transition& t) {
  db_.Prepare(
         "INSERT INTO transitions (id, due_at, kind, account_id, instance_id) "
         "VALUES (" +
         std::string(NextIdSql(IdSequence::kTransitionId)) + ", ?, ?, ?, ?)")
      .Bind(1, t.due_at)
      .Bind(2, core::ToString(t.kind))
      .Bind(3, t.account_id)
      .Bind(4, t.instance_id)
      .Defer();
}

void SqlTransaction::CancelTransitions(const std::string& instance_id, core::TransitionKind kind) {
  db_.Prepare("DELETE FROM transitions WHERE instance_id = ? AND kind = ?")
      .Bind(1, instance_id)
      .Bind(2, core::ToString(kind))
      .Defer();
}

void SqlTransaction::CancelAccountTransitions(const std::string& account_id,
                                              core::TransitionKind kind) {
  db_.Prepare("DELETE FROM transitions WHERE account_id = ? AND instance_id = '' AND kind = ?")
      .Bind(1, account_id)
      .Bind(2, core::ToString(kind))
      .Defer();
}

std::optional<core::Transition> SqlTransaction::ClaimNextDue(UnixSeconds now) {
  auto stmt = db_.Prepare(ClaimNextDueQuery());
  stmt.Bind(1, now);
  if (!stmt.Step()) return std::nullopt;
  return ReadTransition(stmt);
}

void SqlTransaction::DeleteTransition(std::int64_t id) {
  db_.Prepare("DELETE FROM transitions WHERE id = ?").Bind(1, id).Defer();
}

std::optional<UnixSeconds> SqlTransaction::NextDueTime() {
  auto stmt = db_.Prepare("SELECT MIN(due_at) FROM transitions");
  stmt.Step();
  return stmt.OptionalInt(0);
}

std::vector<core::Transition> SqlTransaction::ListTransitions(const std::string& instance_id) {
  auto stmt = db_.Prepare(
      "SELECT id, due_at, kind, account_id, instance_id FROM transitions WHERE instance_id = ? "
      "ORDER BY due_at, id");
  stmt.Bind(1, instance_id);
  std::vector<core::Transition> transitions;
  while (stmt.Step()) transitions.push_back(ReadTransition(stmt));
  return transitions;
}

bool SqlTransaction::HasTransitionDueBefore(const std::string& account_id, UnixSeconds before) {
  auto stmt = db_.Prepare(
      "SELECT 1 FROM transitions WHERE account_id = ? AND due_at < ? "
      "AND NOT (kind = 'settle' AND instance_id = '') LIMIT 1");
  stmt.Bind(1, account_id).Bind(2, before);
  return stmt.Step();
}

// --- orders and faults -------------------------------------------------------------------------

void SqlTransaction::InsertOrder(const core::Order& o) {
  db_.Prepare(
         "INSERT INTO orders (order_id, account_id, instance_id, kind, created_at) "
         "VALUES (?, ?, ?, ?, ?)")
      .Bind(1, o.order_id)
      .Bind(2, o.account_id)
      .Bind(3, o.instance_id)
      .Bind(4, core::ToString(o.kind))
      .Bind(5, o.created_at)
      .Defer();
}

void SqlTransaction::AddFault(const core::Fault& f) {
  armed_faults_.reset();
  db_.Prepare(
         "INSERT INTO faults (operation, region, type, remaining) VALUES (?, ?, ?, ?) "
         "ON CONFLICT (operation, region, type) DO UPDATE "
         "SET remaining = faults.remaining + excluded.remaining")
      .Bind(1, core::ToString(f.operation))
      .Bind(2, f.region)
      .Bind(3, f.type)
      .Bind(4, f.remaining)
      .Defer();
}

std::vector<core::Fault> SqlTransaction::ListFaults() {
  auto stmt = db_.Prepare(
      "SELECT operation, region, type, remaining FROM faults ORDER BY operation, region, type");
  std::vector<core::Fault> faults;
  while (stmt.Step()) {
    faults.push_back(core::Fault{ParseStored<core::FaultOperation>(
                                     stmt.Text(0), core::ParseFaultOperation, "fault operation"),
                                 stmt.Text(1), stmt.Text(2), stmt.Int(3)});
  }
  return faults;
}

void SqlTransaction::DeleteAllFaults() {
  armed_faults_.reset();
  db_.Prepare("DELETE FROM faults").Defer();
}

bool SqlTransaction::TakeFault(core::FaultOperation operation, const std::string& region,
                               const std::string& type) {
  // A purchase asks for eight keys (provision and deploy, each exact and with wildcards), and
  // the table is empty but in tests: so which keys are armed is read once per transaction, and
  // only an armed key costs a statement. A fault armed by another server after that read is
  // taken by the next transaction, as if it had come a moment later.
  if (!armed_faults_) {
    armed_faults_.emplace();
    auto armed = db_.Prepare("SELECT operation, region, type FROM faults WHERE remaining > 0");
    while (armed.Step()) armed_faults_->insert(FaultKey{armed.Text(0), armed.Text(1), armed.Text(2)});
  }
  FaultKey key{std::string(core::ToString(operation)), region, type};
  if (!armed_faults_->count(key)) return false;
  // One guarded statement, so concurrent takers (several servers) each get a distinct use;
  // a row whose uses are all taken is removed in the same transaction.
  auto take = db_.Prepare(
      "UPDATE faults SET remaining = remaining - 1 "
      "WHERE operation = ? AND region = ? AND type = ? AND remaining > 0");
  take.Bind(1, key.operation).Bind(2, region).Bind(3, type).Run();
  if (take.Changes() == 0) {
    armed_faults_->erase(key);  // taken by others meanwhile
    return false;
  }
  db_.Prepare("DELETE FROM faults WHERE remaining <= 0").Defer();
  return true;
}

// --- idempotency -------------------------------------------------------------------------------

std::optional<core::IdempotencyRecord> SqlTransaction::GetIdempotency(const std::string& account_id,
                                                                      const std::string& token) {
  auto stmt = db_.Prepare(
      "SELECT account_id, token, fingerprint, result, created_at FROM idempotency "
      "WHERE account_id = ? AND token = ?");
  stmt.Bind(1, account_id).Bind(2, token);
  if (!stmt.Step()) return std::nullopt;
  return core::IdempotencyRecord{stmt.Text(0), stmt.Text(1), stmt.Text(2), stmt.Text(3),
                                 stmt.Int(4)};
}

void SqlTransaction::PutIdempotency(const core::IdempotencyRecord& r) {
  // ON CONFLICT ... DO UPDATE: the same text in SQLite (3.24+) and PostgreSQL.
  db_.Prepare(
         "INSERT INTO idempotency (account_id, token, fingerprint, result, created_at) "
         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, token) DO UPDATE SET "
         "fingerprint = excluded.fingerprint, result = excluded.result, "
         "created_at = excluded.created_at")
      .Bind(1, r.account_id)
      .Bind(2, r.token)
      .Bind(3, r.fingerprint)
      .Bind(4, r.result)
      .Bind(5, r.created_at)
      .Defer();
}

void SqlTransaction::DeleteIdempotencyBefore(UnixSeconds cutoff) {
  db_.Prepare("DELETE FROM idempotency WHERE created_at < ?").Bind(1, cutoff).Defer();
}

std::int64_t SqlTransaction::CountAccountsInArrears() {
  auto stmt = db_.Prepare("SELECT COUNT(*) FROM accounts WHERE in_arrears_since IS NOT NULL");
  stmt.Step();
  return stmt.Int(0);
}

std::int64_t SqlTransaction::CountTransitionsDue(UnixSeconds now) {
  auto stmt = db_.Prepare("SELECT COUNT(*) FROM transitions WHERE due_at <= ?");
  stmt.Bind(1, now);
  stmt.Step();
  return stmt.Int(0);
}

std::vector<int> SqlTransaction::AppliedMigrations() {
  auto stmt = db_.Prepare("SELECT version FROM schema_migrations ORDER BY version");
  std::vector<int> versions;
  while (stmt.Step()) versions.push_back(static_cast<int>(stmt.Int(0)));
  return versions;
}

}  // namespace cuplane::store::sql
