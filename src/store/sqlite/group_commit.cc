#include "store/sqlite/group_commit.h"

#include <spdlog/spdlog.h>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_transaction.h"
#include "store/call_deadline.h"
#include "store/store_failure.h"

namespace cuplane::store::sqlite {

GroupCommit::GroupCommit(std::string path, bool in_memory, std::size_t max_batch)
    : path_(std::move(path)), in_memory_(in_memory), max_batch_(max_batch) {}

GroupCommit::~GroupCommit() = default;

Status GroupCommit::Run(const std::function<bool(Transaction&)>& fn) {
  Member me;
  std::unique_lock lock(mutex_);
  ++waiting_;
  // A turn that does not come before the caller's deadline (the writer ahead is stuck on
  // the disk or on another process's lock) is given up: nothing was written.
  auto my_turn = [&] { return !busy_; };
  if (auto deadline = CallDeadline::Current()) {
    if (!changed_.wait_until(lock, *deadline, my_turn)) {
      --waiting_;
      return DeadlinePassedError();
    }
  } else {
    changed_.wait(lock, my_turn);
  }
  --waiting_;
  busy_ = true;
  bool must_begin = !open_;
  lock.unlock();

  Status error = OkStatus();
  Outcome outcome = Outcome::kBatchLost;
  try {
    if (!connection_) connection_ = std::make_unique<SqliteConnection>(path_, in_memory_);
    // BEGIN IMMEDIATE takes the database's write lock, which keeps other processes out.
    if (must_begin) connection_->ExecCached("BEGIN IMMEDIATE");
    outcome = RunInSavepoint(fn, error);
  } catch (const std::exception& e) {
    spdlog::error("store: cannot begin a write transaction: {}", e.what());
    error = StoreFailureError(e);
  }

  lock.lock();
  open_ = outcome != Outcome::kBatchLost;
  members_.push_back(&me);
  if (outcome == Outcome::kRolledBack) me.status = error;  // decided now, reported with the batch
  if (outcome == Outcome::kBatchLost) {
    auto batch = std::move(members_);
    Finish(batch, error);
    return me.status;
  }
  if (waiting_ > 0 && members_.size() < max_batch_) {
    // Someone will come after this writer and commit for both.
    busy_ = false;
    changed_.notify_all();
    changed_.wait(lock, [&] { return me.done; });
    return me.status;
  }
  auto batch = std::move(members_);
  open_ = false;
  lock.unlock();
  Status committed = Commit();
  lock.lock();
  if (committed.ok()) ++commits_;
  Finish(batch, committed);
  return me.status;
}

int GroupCommit::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

std::uint64_t GroupCommit::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

GroupCommit::Outcome GroupCommit::RunInSavepoint(const std::function<bool(Transaction&)>& fn,
                                                 Status& error) {
  connection_->ExecCached("SAVEPOINT write");
  try {
    SqliteTransaction tx(*connection_);
    if (fn(tx)) {
      connection_->ExecCached("RELEASE write");
      return Outcome::kKept;
    }
  } catch (const std::exception& e) {
    spdlog::error("store: write rolled back: {}", e.what());
    error = StoreFailureError(e);
  }
  try {
    // SQLite rolls back the whole transaction after some errors (I/O, full disk): then the
    // others' writes are gone too, and the batch with them.
    if (!connection_->InTransaction()) throw StoreError(StoreError::Kind::kUnavailable,
                                                        "the write transaction was lost");
    connection_->ExecCached("ROLLBACK TO write");
    connection_->ExecCached("RELEASE write");
    return Outcome::kRolledBack;
  } catch (const std::exception& e) {
    spdlog::error("store: write batch lost: {}", e.what());
    if (error.ok()) error = StoreFailureError(e);
    if (connection_->InTransaction()) {
      try {
        connection_->ExecCached("ROLLBACK");
      } catch (const StoreError&) {
        connection_.reset();  // a connection that cannot roll back is not reused
      }
    }
    return Outcome::kBatchLost;
  }
}

Status GroupCommit::Commit() {
  try {
    connection_->ExecCached("COMMIT");
    return OkStatus();
  } catch (const std::exception& e) {
    spdlog::error("store: commit failed, the batch is rolled back: {}", e.what());
    try {
      if (connection_->InTransaction()) connection_->ExecCached("ROLLBACK");
    } catch (const StoreError&) {
      connection_.reset();
    }
    return StoreFailureError(e);
  }
}

void GroupCommit::Finish(std::vector<Member*>& batch, const Status& status) {
  for (Member* member : batch) {
    if (!status.ok()) member->status = status;
    member->done = true;
  }
  busy_ = false;
  changed_.notify_all();
}

}  // namespace cuplane::store::sqlite
