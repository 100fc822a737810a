#include "cli/backup_command.h"

#include <filesystem>
#include <iostream>

#include "store/sqlite/sqlite_backup.h"

namespace cuplane::cli {

int RunBackup(const StoreLocation& location, const std::string& file) {
  if (auto valid = ValidateStoreUrl(location.store_url); !valid.ok()) {
    std::cerr << "cuplane backup: " << valid.error().message << "\n";
    return 2;
  }
  std::optional<std::string> source = SqliteStorePath(location);
  if (!source) {
    std::cerr << "cuplane backup: copies SQLite stores only; back a PostgreSQL store up with "
                 "pg_dump (see docs/operations.md, Backing up)\n";
    return 2;
  }
  auto report = store::sqlite::BackupDatabase(*source, file);
  if (!report.ok()) {
    std::cerr << "cuplane backup: " << report.error().message << "\n";
    return 1;
  }
  std::cout << "backed up sqlite:" << *source << " to " << file << " (" << report->pages
            << " pages, " << report->bytes << " bytes)\n"
            << "Its secret keys are sealed with " << SecretKeyPath(location)
            << ": keep a copy of that file too (apart from the backup); a restore needs both.\n";
  return 0;
}

}  // namespace cuplane::cli
