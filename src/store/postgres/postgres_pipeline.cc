#include "store/postgres/postgres_pipeline.h"

#include <exception>

#include "store/postgres/postgres_connection.h"

namespace cuplane::store::postgres {
namespace {

// NULL until the transaction has written (or locked) a row, so a transaction that wrote
// nothing is never asked about, and never costs a WAL flush at COMMIT for having an id.
constexpr const char* kTransactionIdProbe = "SELECT CAST(pg_current_xact_id_if_assigned() AS TEXT)";

bool Succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

}  // namespace

void PostgresPipeline::Start(std::string_view begin, bool watch_transaction_id) {
  owed_.clear();
  transaction_id_.reset();
  watch_transaction_id_ = watch_transaction_id;
  // Non-blocking while in the pipeline: libpq never blocks on a write, and the waits of
  // Sync (bounded by the deadline) are the only ones.
  if (!PQenterPipelineMode(conn_) || PQsetnonblocking(conn_, 1) != 0) {
    ThrowPostgresError(conn_, nullptr, "entering pipeline mode");
  }
  Queue(begin);
  sent_since_probe_ = false;  // BEGIN writes nothing
}

void PostgresPipeline::Queue(std::string_view sql) {
  std::string owned(sql);
  if (!PQsendQueryParams(conn_, owned.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)) {
    ThrowPostgresError(conn_, nullptr, owned);
  }
  Expect(std::move(owned), nullptr);
}

void PostgresPipeline::Expect(std::string context, PostgresStatement* owner) {
  owed_.push_back(Entry{std::move(context), owner});
  sent_since_probe_ = true;
}

void PostgresPipeline::Forget(const PostgresStatement* owner) {
  for (Entry& entry : owed_) {
    if (entry.owner == owner) entry.owner = nullptr;
  }
}

void PostgresPipeline::Sync() { SyncAll(/*ask_transaction_id=*/true); }

void PostgresPipeline::SyncAll(bool ask_transaction_id) {
  if (ask_transaction_id && watch_transaction_id_ && !transaction_id_ && sent_since_probe_) {
    if (!PQsendQueryParams(conn_, kTransactionIdProbe, 0, nullptr, nullptr, nullptr, nullptr, 0)) {
      ThrowPostgresError(conn_, nullptr, kTransactionIdProbe);
    }
    owed_.push_back(Entry{kTransactionIdProbe, nullptr, true});
    sent_since_probe_ = false;
  }
  std::vector<Entry> owed = std::move(owed_);
  owed_.clear();
  size_t next = 0;  // the first entry whose result has not been read
  // However this ends, no owner is left waiting for a result that will not come.
  struct Unblock {
    std::vector<Entry>& owed;
    size_t& next;
    ~Unblock() {
      for (size_t i = next; i < owed.size(); ++i) {
        if (owed[i].owner) owed[i].owner->TakeResult(nullptr);
      }
    }
  } unblock{owed, next};

  if (!PQpipelineSync(conn_)) ThrowPostgresError(conn_, nullptr, "pipeline sync");
  connection_.FlushOutput(owed.empty() ? "pipeline sync" : owed.back().context);
  std::exception_ptr failure;  // the first command that failed, in the order sent
  for (; next < owed.size(); ++next) {
    Entry& entry = owed[next];
    PGresult* result = connection_.NextResult(entry.context);
    if (result == nullptr) ThrowPostgresError(conn_, nullptr, entry.context);
    if (PQresultStatus(result) == PGRES_PIPELINE_ABORTED) {
      // Not run, because an earlier command failed: that failure is the one to report.
      PQclear(result);
      if (!failure) {
        failure = std::make_exception_ptr(
            PostgresError(StoreError::Kind::kInternal, "", entry.context + ": not run"));
      }
    } else if (!Succeeded(result)) {
      try {
        ThrowPostgresError(conn_, result, entry.context);
      } catch (const PostgresError&) {
        if (!failure) failure = std::current_exception();
      }
      PQclear(result);
      // A connection that failed owes nothing more: report it as it is.
      if (PQstatus(conn_) != CONNECTION_OK) std::rethrow_exception(failure);
    } else if (entry.probe) {
      ReadProbe(result);
      PQclear(result);
    } else if (entry.owner) {
      PostgresStatement* owner = entry.owner;
      entry.owner = nullptr;
      owner->TakeResult(result);
    } else {
      PQclear(result);
    }
    // Each command's results end with a null.
    while (PGresult* extra = connection_.NextResult(entry.context)) PQclear(extra);
  }
  PGresult* sync = connection_.NextResult("pipeline sync");
  ExecStatusType status = PQresultStatus(sync);
  PQclear(sync);
  if (failure) std::rethrow_exception(failure);
  if (status != PGRES_PIPELINE_SYNC) {
    ThrowPostgresError(conn_, nullptr, "pipeline sync");
  }
}

void PostgresPipeline::ReadProbe(const PGresult* result) {
  if (PQntuples(result) > 0 && PQnfields(result) > 0 && !PQgetisnull(result, 0, 0)) {
    transaction_id_ = std::string(PQgetvalue(result, 0, 0),
                                  static_cast<size_t>(PQgetlength(result, 0, 0)));
  }
}

std::optional<std::string> PostgresPipeline::WrittenTransactionId() {
  if (!transaction_id_ && sent_since_probe_) Sync();
  return transaction_id_;
}

void PostgresPipeline::Finish(std::string_view end) {
  Queue(end);
  SyncAll(/*ask_transaction_id=*/false);  // asked after COMMIT, the answer would come too late
  Leave();
}

void PostgresPipeline::Abandon() {
  if (!active()) return;
  if (!owed_.empty()) {
    try {
      SyncAll(/*ask_transaction_id=*/false);
    } catch (const StoreError&) {
      if (connection_.Broken()) throw;
      // The failure was the transaction's own; it is rolled back next.
    }
  }
  Leave();
}

void PostgresPipeline::Leave() {
  if (!PQexitPipelineMode(conn_) || PQsetnonblocking(conn_, 0) != 0) {
    ThrowPostgresError(conn_, nullptr, "leaving pipeline mode");
  }
}

}  // namespace cuplane::store::postgres
