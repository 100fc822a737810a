// Group commit for the SQLite store: concurrent write transactions share one COMMIT, and so
// one fsync, instead of paying one each (with synchronous=FULL the fsync is a large part of a
// write's cost).
//
// Writers queue up; one of them, the leader, runs the queued writes back to back on the one
// write connection, each inside its own SAVEPOINT (released when it succeeds, rolled back
// when it fails, so a failed write leaves nothing behind and does not disturb the others).
// It keeps taking writes that queue up meanwhile, and commits for all of them once nobody
// else is waiting or the batch is full. Every writer of the batch learns its outcome only
// then: nothing is acknowledged before it is durable. The leader then hands the lead to the
// first writer that queued up during the commit, so no caller leads for long.
//
// Why a leader rather than turns: with writers taking turns on the connection, each turn
// woke every waiting writer to see whose it was; on two cores those wake-ups were a third of
// the time a purchase took (perf, docs/performance.md). Here a writer is woken once, when its
// outcome is known (or when it is to lead).
//
// If the batch's transaction is lost (an I/O error, a full disk: SQLite then rolls back the
// whole transaction) or its COMMIT fails, every writer of the batch gets the error; none of
// them was acknowledged, so none is lost.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
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

  // Runs `fn` in a savepoint of a batch, keeping its changes iff it returns true; returns
  // once the batch's commit is durable (ok) or failed (the error). `fn` may run on another
  // caller's thread (the leader's), with this caller's store deadline, while this one waits.
  Status Run(const std::function<bool(Transaction&)>& fn);

  // Writers queued and not yet taken into a batch, and batches committed so far (for tests
  // and metrics).
  int waiting() const;
  std::uint64_t commits() const;

 private:
  struct Member;
  enum class Outcome { kKept, kRolledBack, kBatchLost };

  // Waits (with `lock` on mutex_) until `me` is finished or chosen to lead; false when its
  // deadline passed while it was still queued (it is then out of the queue, nothing of it
  // written).
  bool AwaitTurn(Member& me, std::unique_lock<std::mutex>& lock);
  // Runs a batch (with `me`, first in the queue), lets the next leader in, and answers the
  // batch's members.
  void Lead(Member& me);
  // Chooses the first queued writer to lead next, or leaves nobody leading.
  void PassLead();
  // Runs the queued writes, and those that queue up meanwhile, in one transaction, and
  // commits it; `batch` gets the members whose outcome that is.
  Status RunBatch(std::vector<Member*>& batch);
  // Takes up to `room` queued members into `batch`; false when none was queued.
  bool TakeQueued(std::vector<Member*>& batch, std::size_t room);
  // BEGIN IMMEDIATE, waiting for the database's lock until the batch's first deadline.
  Status Begin(const std::vector<Member*>& batch);
  // Runs one member's write in a savepoint of the open transaction, with its deadline.
  Outcome RunMember(Member& member);
  // Runs `fn` in a savepoint. `error` is set unless kKept/kRolledBack of fn's own choice.
  Outcome RunInSavepoint(const std::function<bool(Transaction&)>& fn, Status& error);
  // COMMIT (or, when it failed, ROLLBACK) of the open transaction.
  Status Commit();
  // Gives every member of `batch` its outcome (`status` where that is an error) and wakes
  // them, but the leader, which is awake.
  void Finish(const std::vector<Member*>& batch, const Status& status, const Member& leader);

  std::string path_;
  bool in_memory_;
  std::size_t max_batch_;
  std::unique_ptr<SqliteConnection> connection_;  // used only by the leader

  mutable std::mutex mutex_;
  bool leading_ = false;         // GUARDED_BY(mutex_): a leader is running or chosen
  std::deque<Member*> queue_;    // GUARDED_BY(mutex_): writers not yet taken into a batch
  std::uint64_t commits_ = 0;    // GUARDED_BY(mutex_)
};

}  // namespace cuplane::store::sqlite
