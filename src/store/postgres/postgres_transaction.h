// SqlTransaction in PostgreSQL's dialect, where several servers write at once: ids come from
// sequences, due transitions are claimed with row locks that other servers skip, and a write
// transaction locks the account and instance rows it reads (see store.h).
#pragma once

#include "store/sql/sql_transaction.h"

namespace cuplane::store::postgres {

class PostgresTransaction final : public sql::SqlTransaction {
 public:
  PostgresTransaction(sql::Connection& connection, bool write)
      : SqlTransaction(connection), write_(write) {}

 protected:
  std::string_view NextIdSql(IdSequence sequence) const override;
  std::string_view ClaimNextDueQuery() const override;
  std::string_view RowLockClause() const override;
  std::string_view ColumnsQuery() const override;
  std::string_view ForeignKeysQuery() const override;
  void LockTables(const std::vector<std::string>& tables, TableLock lock) override;

 private:
  bool write_;  // a read-only transaction may not lock rows (nor needs to)
};

}  // namespace cuplane::store::postgres
