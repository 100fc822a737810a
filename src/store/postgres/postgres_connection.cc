#include "store/postgres/postgres_connection.h"

#include <charconv>
#include <cstdlib>

namespace cuplane::store::postgres {
namespace {

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
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

PostgresStatement::PostgresStatement(PGconn* conn, std::string name, std::string sql,
                                     int parameters)
    : conn_(conn), name_(std::move(name)), sql_(std::move(sql)), parameters_(parameters) {}

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

void PostgresStatement::Execute() {
  std::vector<const char*> values;
  values.reserve(parameters_.size());
  for (const auto& p : parameters_) values.push_back(p ? p->c_str() : nullptr);
  PGresult* result = PQexecPrepared(conn_, name_.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, /*resultFormat=*/0);
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

int PostgresStatement::Changes() const {
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
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? Trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw PostgresError(StoreError::Kind::kUnavailable, "",
                        "cannot connect to PostgreSQL: " + message);
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
}

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

bool PostgresConnection::ReadyForReuse() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void PostgresConnection::Exec(std::string_view sql) {
  std::string owned(sql);
  PGresult* result = PQexec(conn_, owned.c_str());
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
    PGresult* result = PQprepare(conn_, name.c_str(), numbered.c_str(), parameters, nullptr);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      try {
        ThrowPostgresError(conn_, result, "prepare " + key);
      } catch (...) {
        PQclear(result);
        throw;
      }
    }
    PQclear(result);
    auto statement = std::make_unique<PostgresStatement>(conn_, std::move(name), key, parameters);
    it = cache_.emplace(std::move(key), std::move(statement)).first;
  }
  return *it->second;
}

}  // namespace cuplane::store::postgres
