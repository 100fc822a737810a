#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/random_id.h"

namespace cuplane::store::sqlite {
namespace {

namespace fs = std::filesystem;

// How long a backup waits for a source that is locked (a migration, a checkpoint) to let it
// read, in total.
constexpr auto kLockedPatience = std::chrono::seconds(30);

// Owns one sqlite3 handle.
struct Database {
  sqlite3* db = nullptr;
  ~Database() {
    if (db) sqlite3_close_v2(db);
  }
  std::string Message() const { return db ? sqlite3_errmsg(db) : "out of memory"; }
};

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kServiceUnavailable, "cannot open " + path + " to sync");
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return MakeError(ErrorCode::kServiceUnavailable, "cannot sync " + path);
  return OkStatus();
}

// Every page of `source` into `destination`, as one snapshot: step(-1) holds one read
// transaction for the whole copy, so concurrent commits neither restart nor tear it.
Result<BackupReport> CopyPages(Database& source, Database& destination) {
  sqlite3_backup* backup = sqlite3_backup_init(destination.db, "main", source.db, "main");
  if (!backup) {
    return MakeError(ErrorCode::kServiceUnavailable,
                     "cannot start the backup: " + destination.Message());
  }
  auto deadline = std::chrono::steady_clock::now() + kLockedPatience;
  int rc;
  while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BackupReport report;
  report.pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return MakeError(ErrorCode::kServiceUnavailable,
                     std::string("the backup did not finish: ") + sqlite3_errstr(rc));
  }
  return report;
}

// The copy must open and pass SQLite's own check before it replaces anything.
Status QuickCheck(Database& copy) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(copy.db, "PRAGMA quick_check", -1, &stmt, nullptr) != SQLITE_OK) {
    return MakeError(ErrorCode::kInternalError, "cannot check the copy: " + copy.Message());
  }
  bool ok = sqlite3_step(stmt) == SQLITE_ROW &&
            std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "ok";
  sqlite3_finalize(stmt);
  if (!ok) return MakeError(ErrorCode::kInternalError, "the copy failed SQLite's quick_check");
  return OkStatus();
}

Result<BackupReport> WriteCopy(const std::string& source_path, const std::string& temporary) {
  Database source;
  // Read-write without create: a mistyped path is an error, not a new empty store, and the
  // WAL of a running server is shared rather than bypassed.
  if (sqlite3_open_v2(source_path.c_str(), &source.db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    return InvalidParameter("no SQLite store at " + source_path + ": " + source.Message());
  }
  sqlite3_busy_timeout(source.db, 10000);
  Database destination;
  if (sqlite3_open_v2(temporary.c_str(), &destination.db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    return MakeError(ErrorCode::kServiceUnavailable,
                     "cannot create " + temporary + ": " + destination.Message());
  }
  CUPLANE_ASSIGN_OR_RETURN(BackupReport report, CopyPages(source, destination));
  CUPLANE_TRY(QuickCheck(destination));
  return report;
}

}  // namespace

Result<BackupReport> BackupDatabase(const std::string& source_path,
                                    const std::string& destination_path) {
  std::error_code ec;
  if (!fs::is_regular_file(source_path, ec)) {
    return InvalidParameter("no SQLite store at " + source_path);
  }
  if (fs::exists(destination_path, ec) && fs::equivalent(source_path, destination_path, ec)) {
    return InvalidParameter("the backup file is the store itself: " + destination_path);
  }
  fs::path destination = fs::absolute(destination_path, ec);
  const std::string temporary =
      destination.string() + ".tmp-" + RandomLowerAlnum(8);  // same directory: rename is atomic
  auto report = WriteCopy(source_path, temporary);
  if (!report.ok()) {
    fs::remove(temporary, ec);
    return report;
  }
  report->bytes = static_cast<std::int64_t>(fs::file_size(temporary, ec));
  Status synced = SyncPath(temporary, O_RDONLY);
  if (synced.ok()) {
    fs::rename(temporary, destination, ec);
    if (ec) {
      synced = MakeError(ErrorCode::kServiceUnavailable,
                         "cannot move the copy to " + destination_path + ": " + ec.message());
    }
  }
  if (!synced.ok()) {
    fs::remove(temporary, ec);
    return synced.error();
  }
  // The rename itself is durable once the directory is synced.
  CUPLANE_TRY(SyncPath(destination.parent_path().string(), O_RDONLY | O_DIRECTORY));
  return report;
}

}  // namespace cuplane::store::sqlite
