#include "store/postgres/postgres_connection.h"

#include <poll.h>

#include <charconv>
#include <cstdlib>

#include "store/call_deadline.h"

namespace cuplane::store::postgres {
namespace {

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Without a CallDeadline (test set-up code) a wait still ends, after this long.
constexpr auto kWaitWithoutDeadline = std::chrono::seconds(30);

DeadlineClock::time_point WaitDeadline() {
  return CallDeadline::Current().value_or(DeadlineClock::now() + kWaitWithoutDeadline);
}

// Waits until `fd` is ready for `events` or `deadline` passes (false then).
bool WaitReady(int fd, short events, DeadlineClock::time_point deadline) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - DeadlineClock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60000)));
    if (rc > 0) return true;  // ready, or an error libpq will report
    if (rc < 0 && errno != EINTR) return true;
  }
}

// libpq prints server notices ("relation already exists, skipping") to stderr by default;
// they are expected and say nothing an operator needs.
void IgnoreNotice(void*, const char*) {}

}  // namespace

StoreError::Kind ClassifySqlState(std::string_view sqlstate) {
  using Kind = StoreError::Kind;
  if (sqlstate.size() != 5) return Kind::kInternal;
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "23") return Kind::kConstraint;
  if (sqlstate == "53100") return Kind::kFull;  // disk_full
  if (cls == "08" || cls == "53") return Kind::kUnavailable;
  // admin_shutdown, crash_shutdown, cannot_connect_now
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") return Kind::kUnavailable;
  if (cls == "40") return Kind::kBusy;
  // lock_not_available, query_canceled (lock or statement timeout)
  if (sqlstate == "55P03" || sqlstate == "57014") return Kind::kBusy;
  return Kind::kInternal;
}

std::string NumberPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;  // the quote character while inside '...' or "..."
  for (char c : sql) {
    if (quote) {
      // A doubled quote ('it''s') closes and reopens the literal, which this handles as is.
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  *count = n;
  return out;
}

void ThrowPostgresError(PGconn* conn, const PGresult* result, std::string_view context) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  StoreError::Kind kind = ClassifySqlState(sqlstate);
  // A lost connection often comes without an SQLSTATE at all.
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) kind = StoreError::Kind::kUnavailable;
  std::string message(context);
  message += ": ";
  std::string detail = Trimmed(result ? PQresultErrorMessage(result) : nullptr);
  if (detail.empty() && conn) detail = Trimmed(PQerrorMessage(conn));
  message += detail.empty() ? "unknown PostgreSQL error" : detail;
  if (!sqlstate.empty()) message += " [" + sqlstate + "]";
  throw PostgresError(kind, sqlstate, message);
}

// --- statements ----------------------------------------------------------------------------

PostgresStatement::PostgresStatement(PostgresConnection& connection, PGconn* conn,
                                     std::string name, std::string sql, int parameters)
    : connection_(connection),
      conn_(conn),
      name_(std::move(name)),
      sql_(std::move(sql)),
      parameters_(parameters) {}

PostgresStatement::~PostgresStatement() { PQclear(result_); }

std::optional<std::string>& PostgresStatement::Parameter(int index) {
  if (index < 1 || index > static_cast<int>(parameters_.size())) {
    throw StoreError(StoreError::Kind::kInternal,
                     "bind: no parameter " + std::to_string(index) + " in " + sql_);
  }
  return parameters_[index - 1];
}

void PostgresStatement::BindInt(int index, std::int64_t value) {
  Parameter(index) = std::to_string(value);
}

void PostgresStatement::BindText(int index, std::string_view value) {
  Parameter(index) = std::string(value);
}

void PostgresStatement::BindNull(int index) { Parameter(index).reset(); }

void PostgresStatement::Send() {
  std::vector<const char*> values;
  values.reserve(parameters_.size());
  for (const auto& p : parameters_) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryPrepared(conn_, name_.c_str(), static_cast<int>(values.size()), values.data(),
                           nullptr, nullptr, /*resultFormat=*/0)) {
    ThrowPostgresError(conn_, nullptr, sql_);
  }
}

void PostgresStatement::TakeResult(PGresult* result) {
  pending_ = false;
  PQclear(result_);
  result_ = result;
  rows_ = result_ ? PQntuples(result_) : 0;
  row_ = -1;
}

void PostgresStatement::Defer() {
  if (result_ || pending_ || !connection_.pipeline().active()) {
    sql::PreparedStatement::Defer();
    return;
  }
  // Queued: it travels with the next statement whose result is read, or with COMMIT.
  Send();
  pending_ = true;
  connection_.pipeline().Expect(sql_, this);
}

void PostgresStatement::Execute() {
  PostgresPipeline& pipeline = connection_.pipeline();
  if (pipeline.active()) {
    if (!pending_) {
      Send();
      pending_ = true;
      pipeline.Expect(sql_, this);
    }
    pipeline.Sync();  // hands this statement its result, or throws the first failure
    if (!result_) ThrowPostgresError(conn_, nullptr, sql_);
    return;
  }
  Send();
  PGresult* result = connection_.AwaitResult(sql_);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    try {
      ThrowPostgresError(conn_, result, sql_);
    } catch (...) {
      PQclear(result);
      throw;
    }
  }
  result_ = result;
  rows_ = PQntuples(result_);
  row_ = -1;
}

bool PostgresStatement::Step() {
  if (!result_) Execute();
  if (row_ + 1 < rows_) {
    ++row_;
    return true;
  }
  row_ = rows_;
  return false;
}

int PostgresStatement::Changes() {
  if (pending_) connection_.pipeline().Sync();
  if (!result_) return 0;
  return std::atoi(PQcmdTuples(result_));
}

const char* PostgresStatement::Value(int column) const {
  if (!result_ || row_ < 0 || row_ >= rows_ || column < 0 || column >= PQnfields(result_)) {
    throw StoreError(StoreError::Kind::kInternal,
                     "no column " + std::to_string(column) + " in the current row of " + sql_);
  }
  return PQgetvalue(result_, row_, column);
}

bool PostgresStatement::IsNull(int column) const {
  Value(column);  // range check
  return PQgetisnull(result_, row_, column) != 0;
}

std::int64_t PostgresStatement::Int(int column) const {
  const char* text = Value(column);
  if (PQgetisnull(result_, row_, column)) return 0;  // as sqlite3_column_int64 does
  std::string_view s(text, static_cast<size_t>(PQgetlength(result_, row_, column)));
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw StoreError(StoreError::Kind::kInternal,
                     "column " + std::to_string(column) + " is not an integer: " + std::string(s));
  }
  return value;
}

std::string PostgresStatement::Text(int column) const {
  const char* text = Value(column);
  return std::string(text, static_cast<size_t>(PQgetlength(result_, row_, column)));
}

void PostgresStatement::Reset() noexcept {
  if (pending_) {
    connection_.pipeline().Forget(this);  // still checked for failure when it arrives
    pending_ = false;
  }
  PQclear(result_);
  result_ = nullptr;
  rows_ = 0;
  row_ = -1;
  for (auto& p : parameters_) p.reset();
}

// --- connection ----------------------------------------------------------------------------

PostgresConnection::PostgresConnection(const std::string& url) {
  // The URL is expanded by libpq itself (expand_dbname). The defaults before it apply only
  // where the URL says nothing: a bounded connect time, so an unreachable host fails a request
  // instead of hanging it, and a name that shows in pg_stat_activity.
  const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                            nullptr};
  const char* values[] = {"10", "cuplane", "UTF8", url.c_str(), nullptr};
  // Connected step by step, so that a database that accepts the TCP connection and then says
  // nothing (frozen) cannot hold the caller past its deadline.
  conn_ = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  auto fail = [&](StoreError::Kind kind, const std::string& why) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw PostgresError(kind, "", "cannot connect to PostgreSQL: " + why);
  };
  if (conn_ == nullptr) fail(StoreError::Kind::kUnavailable, "out of memory");
  auto deadline = WaitDeadline();
  PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
  while (polling != PGRES_POLLING_OK) {
    if (PQstatus(conn_) == CONNECTION_BAD || polling == PGRES_POLLING_FAILED) {
      fail(StoreError::Kind::kUnavailable, Trimmed(PQerrorMessage(conn_)));
    }
    short events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!WaitReady(PQsocket(conn_), events, deadline)) {
      fail(StoreError::Kind::kTimeout, "no answer before the deadline");
    }
    polling = PQconnectPoll(conn_);
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  pipeline_.emplace(*this, conn_);
}

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

bool PostgresConnection::ReadyForReuse() const {
  return !timed_out_ && PQstatus(conn_) == CONNECTION_OK &&
         PQtransactionStatus(conn_) == PQTRANS_IDLE && !pipeline_->active();
}

void PostgresConnection::TimedOut(std::string_view context) {
  // What was sent may still run when the database wakes up; this connection must never
  // be used again, and closing it makes the server roll back whatever did not commit.
  timed_out_ = true;
  throw PostgresError(StoreError::Kind::kTimeout, "",
                      std::string(context.substr(0, 200)) + ": no answer before the deadline");
}

void PostgresConnection::FlushOutput(std::string_view context) {
  auto deadline = WaitDeadline();
  while (PQflush(conn_) == 1) {
    // Reading while waiting to write: a server blocked on sending results reads no more.
    if (!WaitReady(PQsocket(conn_), POLLOUT | POLLIN, deadline)) TimedOut(context);
    if (!PQconsumeInput(conn_)) return;  // the connection failed: the next read says how
  }
}

PGresult* PostgresConnection::NextResult(std::string_view context) {
  auto deadline = WaitDeadline();
  while (PQisBusy(conn_)) {
    if (!WaitReady(PQsocket(conn_), POLLIN, deadline)) TimedOut(context);
    if (!PQconsumeInput(conn_)) break;  // the connection failed: PQgetResult says how
  }
  return PQgetResult(conn_);
}

void PostgresConnection::RollBack() {
  pipeline_->Abandon();
  Exec("ROLLBACK");
}

PGresult* PostgresConnection::AwaitResult(std::string_view context) {
  FlushOutput(context);
  // A command may hold several statements (Exec): keep the first failure, or the last result.
  PGresult* kept = nullptr;
  while (true) {
    PGresult* next = nullptr;
    try {
      next = NextResult(context);
    } catch (...) {
      PQclear(kept);
      throw;
    }
    if (next == nullptr) break;
    ExecStatusType kept_status = kept ? PQresultStatus(kept) : PGRES_COMMAND_OK;
    bool kept_failed = kept && kept_status != PGRES_COMMAND_OK && kept_status != PGRES_TUPLES_OK &&
                       kept_status != PGRES_EMPTY_QUERY;
    if (kept_failed) {
      PQclear(next);
    } else {
      PQclear(kept);
      kept = next;
    }
    if (PQstatus(conn_) != CONNECTION_OK) break;
  }
  return kept;
}

void PostgresConnection::Exec(std::string_view sql) {
  if (pipeline_->active()) {
    pipeline_->Queue(sql);  // one statement; waited for, as its callers expect
    pipeline_->Sync();
    return;
  }
  std::string owned(sql);
  PGresult* result = PQsendQuery(conn_, owned.c_str()) ? AwaitResult(owned) : nullptr;
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    try {
      ThrowPostgresError(conn_, result, owned.size() > 200 ? owned.substr(0, 200) + "..." : owned);
    } catch (...) {
      PQclear(result);
      throw;
    }
  }
  PQclear(result);
}

sql::PreparedStatement& PostgresConnection::PrepareCached(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    int parameters = 0;
    std::string numbered = NumberPlaceholders(key, &parameters);
    std::string name = "cuplane_" + std::to_string(cache_.size() + 1);
    if (pipeline_->active()) {
      // Waited for (with whatever is queued), so that a statement that failed to prepare is
      // never cached.
      if (!PQsendPrepare(conn_, name.c_str(), numbered.c_str(), parameters, nullptr)) {
        ThrowPostgresError(conn_, nullptr, "prepare " + key);
      }
      pipeline_->Expect("prepare " + key, nullptr);
      pipeline_->Sync();
    } else {
      PrepareNow(name, numbered, parameters, key);
    }
    auto statement =
        std::make_unique<PostgresStatement>(*this, conn_, std::move(name), key, parameters);
    it = cache_.emplace(std::move(key), std::move(statement)).first;
  }
  return *it->second;
}

void PostgresConnection::PrepareNow(const std::string& name, const std::string& numbered,
                                    int parameters, const std::string& key) {
  PGresult* result = PQsendPrepare(conn_, name.c_str(), numbered.c_str(), parameters, nullptr)
                         ? AwaitResult(key)
                         : nullptr;
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    try {
      ThrowPostgresError(conn_, result, "prepare " + key);
    } catch (...) {
      PQclear(result);
      throw;
    }
  }
  PQclear(result);
}

}  // namespace cuplane::store::postgres
