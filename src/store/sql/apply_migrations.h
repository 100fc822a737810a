// Brings a database up to the newest schema (schema.h): each missing migration, in order, in
// its own transaction, recorded in schema_migrations. Shared by every SQL backend.
#pragma once

#include <string_view>

#include "store/sql/sql_driver.h"

namespace cuplane::store::sql {

struct MigrationDialect {
  // Opens a migration transaction that keeps every other server's migration out until it
  // commits, so that servers starting at once apply each migration exactly once.
  std::string_view begin;
  // An SQL expression for the current Unix time in seconds.
  std::string_view unix_now;
  // Whether Migration::postgresql_sql is run.
  bool postgresql = false;
};

// Throws StoreError when a migration fails; that migration is rolled back.
void ApplyMigrations(Connection& db, const MigrationDialect& dialect);

}  // namespace cuplane::store::sql
