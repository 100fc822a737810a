// Group commit for the SQLite store: concurrent write transactions share one COMMIT, and so
// one fsync, instead of paying one each (with synchronous=FULL the fsync is a large part of a
// write's cost).
//
// Writers queue up, and their writes run back to back on the one write connection inside one
// transaction, each in its own SAVEPOINT (released when it succeeds, rolled back when it
// fails, so a failed write leaves nothing behind and does not disturb the others). Writes
// that queue up meanwhile join the batch, which commits once nobody else waits or it is full.
// Every writer of the batch learns its outcome only then: nothing is acknowledged before it is
// durable.
//
// Who runs a batch: a writer that finds nobody writing runs it itself, on its own thread, so
// a write that comes alone wakes no thread. If others queued up meanwhile, it hands over to
// the writer thread, which runs batch after batch while writers keep queuing, and stops when
// the queue is empty. Each writer is woken once, when its batch is finished.
//
// Why: writers used to take turns on the connection, and each turn woke every waiting writer
// to see whose it was (a third of the server's time under 16 concurrent purchases); then the
// lead passed from writer to writer, one wake-up between any two batches. With the writer
// thread, consecutive batches follow each other on one thread (docs/performance.md).
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
#include <thread>
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
  // thread (another caller's or the writer thread), with this caller's store deadline, while
  // this one waits.
  Status Run(const std::function<bool(Transaction&)>& fn);

  // Writers queued and not yet taken into a batch, and batches committed so far (for tests
  // and metrics).
  int waiting() const;
  std::uint64_t commits() const;

 private:
  struct Member;
  enum class Outcome { kKept, kRolledBack, kBatchLost };

  // Waits (with `lock` on mutex_) until `me` is finished; false when its deadline passed
  // while it was still queued (it is then out of the queue, nothing of it written).
  bool AwaitDone(Member& me, std::unique_lock<std::mutex>& lock);
  // Lets the writer thread (started the first time) run the queued writes; with mutex_ held.
  void HandToWriterThread();
  // The writer thread: batch after batch while writes are queued, each time it is handed over.
  void WriterLoop();
  // Runs one batch (RunBatch) and gives each of its members its outcome.
  void WriteBatch();
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

  std::string path_;
  bool in_memory_;
  std::size_t max_batch_;
  std::unique_ptr<SqliteConnection> connection_;  // used only by whoever is writing

  mutable std::mutex mutex_;
  bool writing_ = false;         // GUARDED_BY(mutex_): a caller or the writer thread writes
  bool writer_turn_ = false;     // GUARDED_BY(mutex_): the one writing is the writer thread
  bool stopping_ = false;        // GUARDED_BY(mutex_)
  std::condition_variable writer_turn_changed_;
  std::thread writer_;           // started (under mutex_) the first time writes queue up
  std::deque<Member*> queue_;    // GUARDED_BY(mutex_): writers not yet taken into a batch
  std::uint64_t commits_ = 0;    // GUARDED_BY(mutex_)
};

}  // namespace cuplane::store::sqlite
