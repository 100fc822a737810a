// The schema, as an ordered list of migrations. A database records the versions it has
// applied (table schema_migrations); a server applies the missing ones at start, in order,
// each in its own transaction. Never edit a migration that has shipped: add the next one.
#pragma once

#include <string_view>
#include <vector>

namespace cuplane::store {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;  // portable SQL understood by SQLite and PostgreSQL
  // Run after `sql` on PostgreSQL only, for what has no portable form (sequences). SQLite
  // records the version all the same, so versions mean the same thing on every backend.
  std::string_view postgresql_sql = {};
};

const std::vector<Migration>& Migrations();

}  // namespace cuplane::store
