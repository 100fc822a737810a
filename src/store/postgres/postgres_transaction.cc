#include "store/postgres/postgres_transaction.h"

namespace cuplane::store::postgres {

std::string_view PostgresTransaction::NextIdSql(IdSequence sequence) const {
  // Sequences (migration 2) never hand one value to two transactions; MAX+1 would, here.
  switch (sequence) {
    case IdSequence::kLedgerId:
      break;
    case IdSequence::kTransitionId:
      return "nextval('transition_ids')";
    case IdSequence::kInstanceSeq:
      return "nextval('instance_seqs')";
    case IdSequence::kServiceSeq:
      return "nextval('service_seqs')";
  }
  return "nextval('ledger_ids')";
}

std::string_view PostgresTransaction::ClaimNextDueQuery() const {
  if (!write_) {
    return "SELECT id, due_at, kind, account_id, instance_id FROM transitions WHERE due_at <= ? "
           "ORDER BY due_at, id LIMIT 1";
  }
  // FOR UPDATE SKIP LOCKED: the row stays locked until this transaction deletes it and commits,
  // and every other server's claim passes over it, so each transition runs once; if this
  // server dies first, the lock goes with its connection and another server claims the row.
  // NOT EXISTS: only the earliest pending transition of an instance (or of an account, for
  // account-level ones) may be claimed, so a server never runs an instance's later transition
  // while another server is still running an earlier one; time order holds per instance.
  return "SELECT id, due_at, kind, account_id, instance_id FROM transitions t "
         "WHERE due_at <= ? AND NOT EXISTS ("
         " SELECT 1 FROM transitions e WHERE e.instance_id = t.instance_id"
         " AND e.account_id = t.account_id"
         " AND (e.due_at < t.due_at OR (e.due_at = t.due_at AND e.id < t.id))) "
         "ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED";
}

std::string_view PostgresTransaction::RowLockClause() const { return write_ ? " FOR UPDATE" : ""; }

std::string_view PostgresTransaction::ColumnsQuery() const {
  return "SELECT c.table_name, c.column_name FROM information_schema.columns AS c "
         "JOIN information_schema.tables AS t "
         "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
         "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
         "ORDER BY c.table_name, c.ordinal_position";
}

std::string_view PostgresTransaction::ForeignKeysQuery() const {
  return "SELECT child.relname, parent.relname FROM pg_constraint AS k "
         "JOIN pg_class AS child ON child.oid = k.conrelid "
         "JOIN pg_class AS parent ON parent.oid = k.confrelid "
         "WHERE k.contype = 'f' AND child.relnamespace = CAST(current_schema() AS regnamespace)";
}

void PostgresTransaction::LockTables(const std::vector<std::string>& tables, TableLock lock) {
  // Several servers write at once, and a READ COMMITTED statement sees what committed before
  // it began: without these locks a purchase committing between two statements of a Reset
  // would survive it in part. The names come from the catalog (sql_state.cc checks them).
  if (tables.empty()) return;
  std::string sql = "LOCK TABLE ";
  for (size_t i = 0; i < tables.size(); ++i) sql += (i ? ", " : "") + tables[i];
  switch (lock) {
    case TableLock::kShare:
      sql += " IN SHARE MODE";
      break;
    case TableLock::kExclusive:
      sql += " IN EXCLUSIVE MODE";
      break;
    case TableLock::kAccessExclusive:
      sql += " IN ACCESS EXCLUSIVE MODE";
      break;
  }
  db().Exec(sql);
}

}  // namespace cuplane::store::postgres
