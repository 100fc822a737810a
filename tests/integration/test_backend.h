// Which store the integration tests run the server on. CTest runs the suite three times: on
// the default SQLite store; with CUPLANE_INTEGRATION_BACKEND=postgres on a fresh database of
// the PostgreSQL server named by CUPLANE_TEST_POSTGRES_URL (scripts/with-postgres provides
// one; without it the run skips visibly, or fails under CI=true); and with
// CUPLANE_INTEGRATION_BACKEND=memory on `--store memory`, where the tests that need the store
// to outlive a server (restarts, two servers on one database) skip, saying why.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/postgres_test_database.h"

namespace cuplane::testing {

inline bool BackendRequested(std::string_view name) {
  const char* backend = std::getenv("CUPLANE_INTEGRATION_BACKEND");
  return backend != nullptr && std::string_view(backend) == name;
}
inline bool PostgresBackendRequested() { return BackendRequested("postgres"); }
inline bool MemoryBackendRequested() { return BackendRequested("memory"); }

// Skips (or, in CI, fails) the current test when its backend cannot be had.
#define CUPLANE_REQUIRE_BACKEND()                                                                  \
  do {                                                                                             \
    if (PostgresBackendRequested() && store::postgres::PostgresTestDatabase::AdminUrl().empty()) { \
      if (store::postgres::PostgresTestsRequired()) {                                              \
        FAIL() << "CI=true but " << store::postgres::kPostgresSkipMessage;                         \
      }                                                                                            \
      GTEST_SKIP() << store::postgres::kPostgresSkipMessage;                                       \
    }                                                                                              \
  } while (0)

// For a test that restarts a server on the same data, or runs two servers on one database.
#define CUPLANE_REQUIRE_DURABLE_STORE()                                                  \
  do {                                                                                   \
    if (MemoryBackendRequested()) {                                                      \
      GTEST_SKIP() << "needs a store that outlives the server; --store memory does not"; \
    }                                                                                    \
  } while (0)

// One test's store: nothing to prepare for SQLite (it lives in the data dir), a fresh
// database for PostgreSQL, dropped with this object. Outlives server restarts.
class TestBackend {
 public:
  TestBackend() {
    if (PostgresBackendRequested() && !store::postgres::PostgresTestDatabase::AdminUrl().empty()) {
      database_ = std::make_unique<store::postgres::PostgresTestDatabase>(
          store::postgres::PostgresTestDatabase::AdminUrl());
    }
  }
  bool is_postgres() const { return database_ != nullptr; }
  bool is_memory() const { return MemoryBackendRequested(); }
  // The test database's connection string (PostgreSQL only; "" on SQLite).
  std::string PostgresUrl() const { return database_ ? database_->url() : ""; }

  // A server's start-up line names its store: proof the test runs where it claims to.
  void ExpectServedBy(const std::string& server_output) const {
    bool on_postgres = server_output.find("(store postgresql://") != std::string::npos;
    EXPECT_EQ(on_postgres, is_postgres()) << server_output;
    bool in_memory = server_output.find("(store memory,") != std::string::npos;
    EXPECT_EQ(in_memory, is_memory()) << server_output;
  }

  // The flags that put a server (or an offline command) on this store, with `data_dir`
  // holding its files (the SQLite database, the secret-sealing key).
  std::vector<std::string> StoreFlags(const std::string& data_dir) const {
    std::vector<std::string> flags{"--data-dir", data_dir};
    if (database_) {
      flags.push_back("--store");
      flags.push_back(ServerUrl());
    }
    if (is_memory()) {
      flags.push_back("--store");
      flags.push_back("memory");
    }
    return flags;
  }

  // StoreFlags with the server reaching PostgreSQL through 127.0.0.1:`port` (a proxy).
  std::vector<std::string> StoreFlagsVia(const std::string& data_dir, std::uint16_t port) const {
    std::string url = ServerUrl();
    auto authority = url.find("://") + 3;
    auto at = url.find('@', authority);
    auto host = at == std::string::npos || at > url.find('/', authority) ? authority : at + 1;
    auto path = url.find('/', host);
    url = url.substr(0, host) + "127.0.0.1:" + std::to_string(port) + url.substr(path);
    return {"--data-dir", data_dir, "--store", url};
  }

  // The host (an IPv4 address) and port of the PostgreSQL server under test.
  static std::pair<std::string, std::uint16_t> PostgresAddress() {
    std::string url = store::postgres::PostgresTestDatabase::AdminUrl();
    auto authority = url.find("://") + 3;
    auto at = url.find('@', authority);
    auto host = at == std::string::npos ? authority : at + 1;
    auto colon = url.find(':', host);
    auto end = url.find_first_of("/?", host);
    if (colon == std::string::npos || colon > end) return {url.substr(host, end - host), 5432};
    return {url.substr(host, colon - host),
            static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1, end - colon - 1)))};
  }

 private:
  // `--store` takes a postgresql:// URL: the admin URL with this test's database as its path.
  std::string ServerUrl() const {
    std::string url = store::postgres::PostgresTestDatabase::AdminUrl();
    auto query = url.find('?');
    std::string suffix = query == std::string::npos ? "" : url.substr(query);
    url = url.substr(0, query);
    auto authority = url.find("://") + 3;
    auto slash = url.find('/', authority);
    return url.substr(0, slash == std::string::npos ? url.size() : slash) + "/" +
           database_->name() + suffix;
  }

 public:
 private:
  std::unique_ptr<store::postgres::PostgresTestDatabase> database_;
};

}  // namespace cuplane::testing
