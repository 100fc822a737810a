#include "store/sql/apply_migrations.h"

#include <spdlog/spdlog.h>

#include <string>

#include "store/schema.h"

namespace cuplane::store::sql {

void ApplyMigrations(Connection& db, const MigrationDialect& dialect) {
  for (const Migration& migration : Migrations()) {
    db.Exec(dialect.begin);
    try {
      // Inside the transaction: on PostgreSQL two servers racing to create the table would
      // otherwise collide in the catalog.
      db.Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      bool applied = db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?")
                         .Bind(1, std::int64_t{migration.version})
                         .Step();
      if (!applied) {
        if (!migration.sql.empty()) db.Exec(migration.sql);
        if (dialect.postgresql && !migration.postgresql_sql.empty()) {
          db.Exec(migration.postgresql_sql);
        }
        db.Prepare(
              "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, " +
              std::string(dialect.unix_now) + ")")
            .Bind(1, std::int64_t{migration.version})
            .Bind(2, migration.description)
            .Run();
        spdlog::info("store: applied migration {} ({})", migration.version, migration.description);
      }
      db.Exec("COMMIT");
    } catch (...) {
      try {
        db.Exec("ROLLBACK");
      } catch (const std::exception&) {
        // the original failure is the one worth reporting
      }
      throw;
    }
  }
}

}  // namespace cuplane::store::sql
