// A consistent copy of a live SQLite store (`cuplane backup FILE`), made with SQLite's online
// backup API: it reads one snapshot of the database while servers keep reading and writing it
// (WAL mode lets writers go on), so the copy is the store exactly as some committed moment left
// it, and opens as a store of its own.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace cuplane::store::sqlite {

struct BackupReport {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
};

// Copies the database at `source_path` to `destination_path`: written beside it under a
// temporary name, checked, synced, then renamed over it, so `destination_path` is never a
// partial copy. InvalidParameter when the source is no SQLite store or the destination is the
// source; ServiceUnavailable when the source stays locked or the copy cannot be written.
Result<BackupReport> BackupDatabase(const std::string& source_path,
                                    const std::string& destination_path);

}  // namespace cuplane::store::sqlite
