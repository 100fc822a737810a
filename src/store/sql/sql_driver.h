// The little a database must offer for SqlTransaction to run the store's SQL on it: statements
// with `?` placeholders prepared once per connection, typed binds, and rows read column by
// column. sqlite/ and postgres/ each implement it, so every query is written once, above it.
// Every method may throw StoreError, already classified by the backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cuplane::store::sql {

// A statement prepared on one connection and cached there. Parameters and columns are numbered
// as in SQLite: parameters from 1, result columns from 0.
class PreparedStatement {
 public:
  virtual ~PreparedStatement() = default;

  virtual void BindInt(int index, std::int64_t value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  virtual void BindNull(int index) = 0;

  // Executes on the first call; then true while a row is available.
  virtual bool Step() = 0;
  // Executes for the effect only, where nobody needs the outcome before the transaction ends:
  // a backend may send the statement without waiting for it (PostgreSQL's pipeline), and its
  // failure then fails the next statement that waits, or the commit, with its own error.
  virtual void Defer() {
    while (Step()) {
    }
  }
  // Rows inserted, updated or deleted by the execution (waits for a deferred one).
  virtual int Changes() = 0;

  virtual bool IsNull(int column) const = 0;
  virtual std::int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;

  // Forgets bindings and results so the statement can run again. Never throws.
  virtual void Reset() noexcept = 0;
};

// The handle callers use: binds chain, and the statement is reset when the handle goes away,
// so a cached statement is always clean for its next user.
class Statement {
 public:
  explicit Statement(PreparedStatement& statement) : statement_(statement) {}
  ~Statement() { statement_.Reset(); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::int64_t value) {
    statement_.BindInt(index, value);
    return *this;
  }
  Statement& Bind(int index, std::string_view value) {
    statement_.BindText(index, value);
    return *this;
  }
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, std::optional<std::int64_t> value) {
    if (value) return Bind(index, *value);
    statement_.BindNull(index);
    return *this;
  }

  // True while a row is available.
  bool Step() { return statement_.Step(); }
  // Runs a statement to completion, ignoring any rows.
  void Run() {
    while (Step()) {
    }
  }
  // Runs a statement for its effect, perhaps later (PreparedStatement::Defer): for writes whose
  // failure no caller handles on its own, since it fails the whole transaction at the latest
  // at COMMIT. Not for one whose error a caller tells apart (a duplicate account).
  void Defer() { statement_.Defer(); }
  int Changes() const { return statement_.Changes(); }

  std::int64_t Int(int column) const { return statement_.Int(column); }
  std::string Text(int column) const { return statement_.Text(column); }
  std::optional<std::int64_t> OptionalInt(int column) const {
    if (statement_.IsNull(column)) return std::nullopt;
    return statement_.Int(column);
  }
  std::optional<std::string> OptionalText(int column) const {
    if (statement_.IsNull(column)) return std::nullopt;
    return statement_.Text(column);
  }

 private:
  PreparedStatement& statement_;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs SQL without parameters or results (BEGIN, COMMIT, DDL); may hold several statements.
  virtual void Exec(std::string_view sql) = 0;

  // The statement for `sql`, prepared on first use. One user at a time per distinct SQL text.
  Statement Prepare(std::string_view sql) { return Statement(PrepareCached(sql)); }

 protected:
  virtual PreparedStatement& PrepareCached(std::string_view sql) = 0;
};

}  // namespace cuplane::store::sql
