// Test support: a fresh, empty database on the PostgreSQL server that CUPLANE_TEST_POSTGRES_URL
// names (scripts/with-postgres starts one and sets it), dropped when the object goes away.
// Every Open() returns a new PostgresStore on that database: closing one and opening another
// simulates a restart, and two open at once are two servers sharing it.
#pragma once

#include <libpq-fe.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/random_id.h"
#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_store.h"

namespace cuplane::store::postgres {

inline constexpr char kTestPostgresUrlVariable[] = "CUPLANE_TEST_POSTGRES_URL";
inline constexpr char kPostgresSkipMessage[] =
    "PostgreSQL tests skipped: set CUPLANE_TEST_POSTGRES_URL (scripts/with-postgres does)";

// CI must run the PostgreSQL tests: there a missing server is a failure, not a skip.
inline bool PostgresTestsRequired() {
  const char* ci = ::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

class PostgresTestDatabase {
 public:
  // The server's URL, or "" when none is configured.
  static std::string AdminUrl() {
    const char* url = ::getenv(kTestPostgresUrlVariable);
    return url ? url : "";
  }

  // Creates the database through `admin_url`. Throws StoreError when it cannot.
  explicit PostgresTestDatabase(const std::string& admin_url)
      : admin_url_(admin_url), name_("cuplane_t_" + RandomLowerAlnum(16)) {
    PostgresConnection admin(admin_url_);
    admin.Exec("CREATE DATABASE " + name_);
    url_ = WithDatabase(admin_url_, name_);
  }
  ~PostgresTestDatabase() {
    try {
      PostgresConnection admin(admin_url_);
      admin.Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const StoreError&) {
      // a database left behind on a throw-away test server is harmless
    }
  }
  PostgresTestDatabase(const PostgresTestDatabase&) = delete;
  PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  std::unique_ptr<PostgresStore> Open() const { return std::make_unique<PostgresStore>(url_); }

 private:
  // `url` with its database replaced, as a key=value string libpq reads like the URL.
  static std::string WithDatabase(const std::string& url, const std::string& dbname) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
      PQfreemem(error);
      throw StoreError(StoreError::Kind::kInternal, "unparsable CUPLANE_TEST_POSTGRES_URL");
    }
    std::string conninfo;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      std::string_view keyword = o->keyword;
      if (keyword == "dbname" || o->val == nullptr) continue;
      conninfo += std::string(keyword) + "=" + Quote(o->val) + " ";
    }
    PQconninfoFree(options);
    return conninfo + "dbname=" + Quote(dbname);
  }
  static std::string Quote(std::string_view value) {
    std::string quoted = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "'";
  }

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace cuplane::store::postgres
