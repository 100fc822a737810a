#include "store/sqlite/group_commit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "store/call_deadline.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_transaction.h"
#include "store/store_failure.h"

namespace cuplane::store::sqlite {

// One caller of Run, from the moment it queues up until it learns its outcome.
struct GroupCommit::Member {
  const std::function<bool(Transaction&)>& fn;
  std::optional<DeadlineClock::time_point> deadline;  // the caller's, applied to its fn
  // Notified (under mutex_) once its batch is finished. One per member, so that a wake-up
  // reaches only the writer it concerns. (Not a std::binary_semaphore: libstdc++ 12 waits
  // for one with a deadline by sleeping in steps.)
  std::condition_variable wake;
  bool done = false;            // GUARDED_BY(mutex_)
  Status status = OkStatus();   // set before done
};

GroupCommit::GroupCommit(std::string path, bool in_memory, std::size_t max_batch)
    : path_(std::move(path)),
      in_memory_(in_memory),
      max_batch_(std::max<std::size_t>(max_batch, 1)) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  writer_turn_changed_.notify_one();
  if (writer_.joinable()) writer_.join();
}

Status GroupCommit::Run(const std::function<bool(Transaction&)>& fn) {
  Member me{fn, CallDeadline::Current(), {}};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  if (writing_) {
    if (!AwaitDone(me, lock)) return DeadlinePassedError();
    return me.status;
  }
  // Nobody writes: this caller writes the batch (its own write, and any that queue up
  // meanwhile) itself, so a write that comes alone wakes no thread.
  writing_ = true;
  lock.unlock();
  WriteBatch();
  lock.lock();
  if (queue_.empty()) {
    writing_ = false;
  } else {
    HandToWriterThread();
  }
  return me.status;
}

bool GroupCommit::AwaitDone(Member& me, std::unique_lock<std::mutex>& lock) {
  auto done = [&] { return me.done; };
  if (!me.deadline) {
    me.wake.wait(lock, done);
    return true;
  }
  if (me.wake.wait_until(lock, *me.deadline, done)) return true;
  if (auto it = std::find(queue_.begin(), queue_.end(), &me); it != queue_.end()) {
    queue_.erase(it);  // never taken into a batch: nothing of it was written
    return false;
  }
  // Taken into a batch: its outcome comes with the batch's commit.
  me.wake.wait(lock, done);
  return true;
}

void GroupCommit::HandToWriterThread() {
  if (!writer_.joinable()) writer_ = std::thread([this] { WriterLoop(); });
  writer_turn_ = true;
  writer_turn_changed_.notify_one();
}

void GroupCommit::WriterLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    writer_turn_changed_.wait(lock, [&] { return stopping_ || writer_turn_; });
    if (stopping_) return;
    // Batch after batch, with no hand-over between them, until nobody waits.
    while (!queue_.empty()) {
      lock.unlock();
      WriteBatch();
      lock.lock();
    }
    writer_turn_ = false;
    writing_ = false;
  }
}

void GroupCommit::WriteBatch() {
  std::vector<Member*> batch;
  Status status = OkStatus();
  try {
    status = RunBatch(batch);
  } catch (const std::exception& e) {
    // Nothing below is meant to throw; if something does, its batch fails as a whole rather
    // than leaving its members waiting, and the connection (and its transaction) is dropped.
    spdlog::error("store: write batch failed: {}", e.what());
    connection_.reset();
    status = StoreFailureError(e);
  }
  std::lock_guard lock(mutex_);
  if (status.ok() && !batch.empty()) ++commits_;
  for (Member* member : batch) {
    if (!status.ok()) member->status = status;
    member->done = true;
    // Under the lock: a member may return (and end) as soon as it sees `done`.
    member->wake.notify_one();
  }
}

bool GroupCommit::TakeQueued(std::vector<Member*>& batch, std::size_t room) {
  std::lock_guard lock(mutex_);
  std::size_t n = std::min(room, queue_.size());
  batch.insert(batch.end(), queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  return n > 0;
}

Status GroupCommit::RunBatch(std::vector<Member*>& batch) {
  if (!TakeQueued(batch, max_batch_)) return OkStatus();
  Status status = Begin(batch);
  std::size_t ran = 0;
  while (status.ok()) {
    for (; ran < batch.size() && status.ok(); ++ran) {
      if (RunMember(*batch[ran]) == Outcome::kBatchLost) status = batch[ran]->status;
    }
    // Writes that queued up meanwhile join this batch, until nobody waits or it is full.
    if (!status.ok() || batch.size() >= max_batch_ ||
        !TakeQueued(batch, max_batch_ - batch.size())) {
      break;
    }
  }
  if (status.ok()) status = Commit();
  if (!status.ok() && ran > 0 && ran < batch.size()) {
    // Writes of a lost transaction that had not run yet go back to the front of the queue:
    // the next batch's new transaction runs them.
    std::lock_guard lock(mutex_);
    queue_.insert(queue_.begin(), batch.begin() + static_cast<std::ptrdiff_t>(ran), batch.end());
    batch.resize(ran);
  }
  return status;
}

Status GroupCommit::Begin(const std::vector<Member*>& batch) {
  // BEGIN IMMEDIATE takes the database's write lock, which keeps other processes out; it
  // waits for that lock no longer than the first deadline of the batch.
  std::optional<DeadlineClock::time_point> deadline;
  for (const Member* member : batch) {
    if (member->deadline && (!deadline || *member->deadline < *deadline)) deadline = member->deadline;
  }
  try {
    std::optional<CallDeadline> scope;
    if (deadline) scope.emplace(*deadline);
    if (!connection_) connection_ = std::make_unique<SqliteConnection>(path_, in_memory_);
    connection_->ExecCached("BEGIN IMMEDIATE");
    return OkStatus();
  } catch (const std::exception& e) {
    spdlog::error("store: cannot begin a write transaction: {}", e.what());
    return StoreFailureError(e);
  }
}

GroupCommit::Outcome GroupCommit::RunMember(Member& member) {
  if (member.deadline && DeadlineClock::now() >= *member.deadline) {
    member.status = DeadlinePassedError();  // its turn came too late: it is not run
    return Outcome::kRolledBack;
  }
  std::optional<CallDeadline> scope;
  if (member.deadline) scope.emplace(*member.deadline);
  Status error = OkStatus();
  Outcome outcome = RunInSavepoint(member.fn, error);
  if (outcome != Outcome::kKept) member.status = error;
  return outcome;
}
int GroupCommit::waiting() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(queue_.size());
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

}  // namespace cuplane::store::sqlite
