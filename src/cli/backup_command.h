// `cuplane backup FILE` (SPEC §6): a consistent copy of the SQLite store named by --data-dir or
// --store, taken while servers run on it. A PostgreSQL store is backed up with pg_dump instead
// (docs/operations.md says how).
#pragma once

#include <string>

#include "cli/store_location.h"

namespace cuplane::cli {

// Returns the exit code: 0 done, 1 the copy failed, 2 a store this command cannot copy.
int RunBackup(const StoreLocation& location, const std::string& file);

}  // namespace cuplane::cli
