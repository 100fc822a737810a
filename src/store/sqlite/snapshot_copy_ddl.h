// The definition of a snapshot copy on SQLite: the statements that make `copy` a table of the
// same columns, constraints and indexes as `table`, without its foreign keys. Restoring from
// such a copy with INSERT INTO table SELECT * FROM copy takes SQLite's transfer path (rows and
// index entries are copied without being decoded and compared again), which is what makes a
// restore of 10,000 units take tens of milliseconds. The foreign keys go because the copy must
// not depend on the live rows it will replace.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cuplane::store::sqlite {

// `table_sql` and `index_sqls` are the `sql` of the table and of its explicit indexes in
// sqlite_schema. nullopt when a definition is not in the simple form this understands (the
// caller then makes a plain copy: slower to restore from, equally correct).
std::optional<std::vector<std::string>> SnapshotCopyDefinition(
    const std::string& table, const std::string& table_sql,
    const std::vector<std::string>& index_sqls, const std::string& copy);

}  // namespace cuplane::store::sqlite
