// Group commit for the SQLite store: concurrent write transactions share one COMMIT, and so
// one fsync, instead of paying one each (with synchronous=FULL the fsync is most of a
// write's cost).
//
// Writers take turns on one connection. The first opens a transaction (BEGIN IMMEDIATE);
// each runs its function inside its own SAVEPOINT, released when it succeeds and rolled back
// when it fails, so a failed write leaves nothing behind and does not disturb the others.
// The writer that finds nobody else waiting (or the batch full) commits for everyone, and
// every writer of the batch learns the outcome only then: nothing is acknowledged before it
// is durable. While one batch commits, the next one gathers.
//
// If the batch's transaction is lost (an I/O error, a full disk: SQLite then rolls back the
// whole transaction) or its COMMIT fails, every writer of the batch gets the error; none of
// them was acknowledged, so none is lost.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "store/store.h"

namespace cuplane::store::sqlite {

class SqliteConnection;

class GroupCommit {
 public:
  // Writes go to the database at `path` (a memdb URI when `in_memory`, see SqliteConnection);
  // at most `max_batch` writes share one commit, which bounds how long the first of them waits.
  explicit GroupCommit(std::string path, bool in_memory = false, std::size_t max_batch = 64);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `fn` in a savepoint of the current batch, keeping its changes iff it returns true;
  // returns once the batch's commit is durable (ok) or failed (the error).
  Status Run(const std::function<bool(Transaction&)>& fn);

  // Writers waiting for their turn, and batches committed so far (for tests and metrics).
  int waiting() const;
  std::uint64_t commits() const;

 private:
  struct Member {
    bool done = false;
    Status status = OkStatus();
  };
  enum class Outcome { kKept, kRolledBack, kBatchLost };

  // Runs `fn` in a savepoint of the open transaction. `error` is set unless kKept/kRolledBack
  // of fn's own choice.
  Outcome RunInSavepoint(const std::function<bool(Transaction&)>& fn, Status& error);
  // COMMIT (or, when it failed, ROLLBACK) of the open transaction.
  Status Commit();
  // Ends the batch with `status` for every member; call with mutex_ held.
  void Finish(std::vector<Member*>& batch, const Status& status);

  std::string path_;
  bool in_memory_;
  std::size_t max_batch_;
  std::unique_ptr<SqliteConnection> connection_;  // used only by the writer whose turn it is

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool busy_ = false;             // GUARDED_BY(mutex_): a writer has the connection
  bool open_ = false;             // GUARDED_BY(mutex_): a batch transaction is open
  int waiting_ = 0;               // GUARDED_BY(mutex_): writers waiting for their turn
  std::vector<Member*> members_;  // GUARDED_BY(mutex_): of the open batch
  std::uint64_t commits_ = 0;     // GUARDED_BY(mutex_)
};

}  // namespace cuplane::store::sqlite
