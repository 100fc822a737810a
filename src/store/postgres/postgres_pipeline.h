// One transaction's traffic in libpq's pipeline mode. A write transaction used to wait for the
// server after every statement (BEGIN, each INSERT, the transaction id, COMMIT): about twenty
// round trips for a purchase. Here a command whose result nobody reads yet (BEGIN, an INSERT
// or UPDATE run for its effect, COMMIT) is only queued; it travels with the next command whose
// result is needed, and the client waits once for all of them. Its own class because it keeps
// state the connection's one-command-at-a-time path has no use for: the results the server
// still owes, in order, and the transaction id learned along the way.
//
// What does not change: a queued command that fails fails the transaction with its own error
// (its SQL and SQLSTATE, classified as before), raised by the next wait, which at the latest is
// the one for COMMIT, so nothing is reported done before COMMIT succeeded; every wait is bounded
// by the thread's CallDeadline, as on the synchronous path.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cuplane::store::postgres {

class PostgresConnection;
class PostgresStatement;

class PostgresPipeline {
 public:
  PostgresPipeline(PostgresConnection& connection, PGconn* conn)
      : connection_(connection), conn_(conn) {}
  PostgresPipeline(const PostgresPipeline&) = delete;
  PostgresPipeline& operator=(const PostgresPipeline&) = delete;

  bool active() const { return PQpipelineStatus(conn_) != PQ_PIPELINE_OFF; }

  // Enters pipeline mode and queues `begin`. With `watch_transaction_id`, every wait until the
  // transaction has an id also asks for it, so that a COMMIT whose reply is lost can be
  // resolved without a round trip of its own before COMMIT.
  void Start(std::string_view begin, bool watch_transaction_id);

  // Queues a command without parameters (no rows expected).
  void Queue(std::string_view sql);
  // Records the command just sent (PQsend*): its result goes to `owner` (may be null) at the
  // next Sync, or is only checked for failure.
  void Expect(std::string context, PostgresStatement* owner);
  // The owner no longer wants its result (its handle was reset); the result is still checked.
  void Forget(const PostgresStatement* owner);

  // Sends everything queued, waits for all of it, hands results to their owners, and throws
  // the first failure among them (in the order sent). Then nothing is owed.
  void Sync();

  // The id of the transaction if it has written anything (nullopt if not), asking the server
  // only when something was sent since it last said "none".
  std::optional<std::string> WrittenTransactionId();
  // What is known of it without asking: the id, once the server has named one.
  const std::optional<std::string>& transaction_id() const { return transaction_id_; }

  // Queues `end` (COMMIT or ROLLBACK) behind whatever is queued, syncs, and leaves pipeline
  // mode. Throws the first failure, which for COMMIT means it did not commit.
  void Finish(std::string_view end);
  // After a failure: drains whatever is owed, ignoring its errors, and leaves pipeline mode, so
  // the connection can run ROLLBACK. Throws only when the connection itself failed.
  void Abandon();

 private:
  struct Entry {
    std::string context;       // the SQL, for error messages
    PostgresStatement* owner;  // receives the result; null: checked only
    bool probe = false;        // the transaction-id question
  };

  void SyncAll(bool ask_transaction_id);
  void Leave();
  void ReadProbe(const PGresult* result);

  PostgresConnection& connection_;
  PGconn* conn_;
  std::vector<Entry> owed_;  // sent, results not yet read, in order
  bool watch_transaction_id_ = false;
  bool sent_since_probe_ = false;  // something may have written since the last answer
  std::optional<std::string> transaction_id_;
};

}  // namespace cuplane::store::postgres
