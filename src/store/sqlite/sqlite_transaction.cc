#include "store/sqlite/sqlite_transaction.h"

#include "store/sqlite/snapshot_copy_ddl.h"

namespace cuplane::store::sqlite {

std::string_view SqliteTransaction::NextIdSql(IdSequence sequence) const {
  // Writers are serialised, so MAX+1 inside the write transaction is unique.
  switch (sequence) {
    case IdSequence::kLedgerId:
      break;
    case IdSequence::kTransitionId:
      return "(SELECT COALESCE(MAX(id), 0) + 1 FROM transitions)";
    case IdSequence::kInstanceSeq:
      return "(SELECT COALESCE(MAX(seq), 0) + 1 FROM instances)";
    case IdSequence::kServiceSeq:
      return "(SELECT COALESCE(MAX(seq), 0) + 1 FROM services)";
  }
  return "(SELECT COALESCE(MAX(id), 0) + 1 FROM ledger)";
}

std::string_view SqliteTransaction::ClaimNextDueQuery() const {
  return "SELECT id, due_at, kind, account_id, instance_id FROM transitions WHERE due_at <= ? "
         "ORDER BY due_at, id LIMIT 1";
}

std::string_view SqliteTransaction::ColumnsQuery() const {
  return "SELECT m.name, c.name FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS c "
         "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
         "ORDER BY m.name, c.cid";
}

std::string_view SqliteTransaction::ForeignKeysQuery() const {
  return "SELECT m.name, f.\"table\" FROM sqlite_schema AS m "
         "JOIN pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'";
}

void SqliteTransaction::CreateSnapshotCopy(const std::string& table, const std::string& copy) {
  std::string table_sql;
  std::vector<std::string> index_sqls;
  auto schema = db().Prepare(
      "SELECT type, sql FROM sqlite_schema WHERE tbl_name = ? AND sql IS NOT NULL "
      "AND type IN ('table', 'index') ORDER BY type DESC, name");
  schema.Bind(1, table);
  while (schema.Step()) {
    if (schema.Text(0) == "table") {
      table_sql = schema.Text(1);
    } else {
      index_sqls.push_back(schema.Text(1));
    }
  }
  auto statements = SnapshotCopyDefinition(table, table_sql, index_sqls, copy);
  if (!statements) return SqlTransaction::CreateSnapshotCopy(table, copy);
  for (const std::string& statement : *statements) db().Exec(statement);
}

}  // namespace cuplane::store::sqlite
