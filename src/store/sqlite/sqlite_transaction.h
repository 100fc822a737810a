// SqlTransaction in SQLite's dialect. SQLite runs one writer at a time, so the hooks can be
// simple: MAX+1 ids, and the plain earliest due transition (the write transaction is the claim).
#pragma once

#include "store/sql/sql_transaction.h"

namespace cuplane::store::sqlite {

class SqliteTransaction final : public sql::SqlTransaction {
 public:
  using SqlTransaction::SqlTransaction;

 protected:
  std::string_view NextIdSql(IdSequence sequence) const override;
  std::string_view ClaimNextDueQuery() const override;
  std::string_view ColumnsQuery() const override;
  std::string_view ForeignKeysQuery() const override;
  // A copy with the table's constraints and indexes (snapshot_copy_ddl.h), so that a restore
  // takes SQLite's transfer path; a plain one when the definition is beyond that simple form.
  void CreateSnapshotCopy(const std::string& table, const std::string& copy) override;
};

}  // namespace cuplane::store::sqlite
