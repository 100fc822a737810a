// What only the PostgreSQL store does: its SQL rewriting, error classification and URL
// redaction (no server needed), and, against a live server, concurrent migrations, retries
// after a lost connection and the per-instance order of claims. The Store contract itself is
// covered for every backend by store_conformance_test.cc.

#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_test_database.h"
#include "store/schema.h"
#include "store/store_failure.h"

namespace cuplane::store::postgres {
namespace {

using core::Transition;
using core::TransitionKind;

TEST(NumberPlaceholdersTest, NumbersQuestionMarksOutsideQuotes) {
  int count = 0;
  EXPECT_EQ(
      NumberPlaceholders("SELECT a FROM t WHERE b = ? AND c = '?' AND \"d?\" = ? LIMIT ?", &count),
      "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"d?\" = $2 LIMIT $3");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(NumberPlaceholders("VALUES ('it''s ?', ?)", &count), "VALUES ('it''s ?', $1)");
  EXPECT_EQ(count, 1);
  EXPECT_EQ(NumberPlaceholders("SELECT 1", &count), "SELECT 1");
  EXPECT_EQ(count, 0);
}

TEST(ClassifySqlStateTest, MapsClassesToStoreErrorKinds) {
  using Kind = StoreError::Kind;
  EXPECT_EQ(ClassifySqlState("23505"), Kind::kConstraint);   // unique_violation
  EXPECT_EQ(ClassifySqlState("23514"), Kind::kConstraint);   // check_violation
  EXPECT_EQ(ClassifySqlState("08006"), Kind::kUnavailable);  // connection_failure
  EXPECT_EQ(ClassifySqlState("57P01"), Kind::kUnavailable);  // admin_shutdown
  EXPECT_EQ(ClassifySqlState("53300"), Kind::kUnavailable);  // too_many_connections
  EXPECT_EQ(ClassifySqlState("40001"), Kind::kBusy);         // serialization_failure
  EXPECT_EQ(ClassifySqlState("40P01"), Kind::kBusy);         // deadlock_detected
  EXPECT_EQ(ClassifySqlState("55P03"), Kind::kBusy);         // lock_not_available
  EXPECT_EQ(ClassifySqlState("42601"), Kind::kInternal);     // syntax_error
  EXPECT_EQ(ClassifySqlState(""), Kind::kInternal);
}

TEST(DescribePostgresUrlTest, KeepsWhereButNeverThePassword) {
  std::string url = "postgresql://alice:s3cret@db.example:6543/cuplane?sslmode=require";
  EXPECT_EQ(DescribePostgresUrl(url), "postgresql://alice@db.example:6543/cuplane");
  std::string with_query = "postgresql://db.example/cuplane?user=bob&password=s3cret";
  EXPECT_EQ(DescribePostgresUrl(with_query), "postgresql://bob@db.example/cuplane");
  std::string keywords = "host=h port=5432 user=u password=s3cret dbname=d";
  EXPECT_EQ(DescribePostgresUrl(keywords), "postgresql://u@h:5432/d");
  EXPECT_EQ(DescribePostgresUrl("postgresql://%zz").find("s3cret"), std::string::npos);
}

// Tests against the server CUPLANE_TEST_POSTGRES_URL names, each on a fresh database.
class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string admin_url = PostgresTestDatabase::AdminUrl();
    if (admin_url.empty()) {
      if (PostgresTestsRequired()) {
        FAIL() << "CI=true requires the PostgreSQL tests, but " << kTestPostgresUrlVariable
               << " is not set (scripts/with-postgres sets it)";
      }
      GTEST_SKIP() << kPostgresSkipMessage;
    }
    database_ = std::make_unique<PostgresTestDatabase>(admin_url);
  }

  // A plain connection to the test database, for what the Store interface does not offer.
  std::unique_ptr<PostgresConnection> Connect() {
    return std::make_unique<PostgresConnection>(database_->url());
  }

  std::int64_t QueryInt(const std::string& sql) {
    auto connection = Connect();
    auto stmt = connection->Prepare(sql);
    EXPECT_TRUE(stmt.Step()) << sql;
    return stmt.Int(0);
  }

  std::unique_ptr<PostgresTestDatabase> database_;
};

TEST_F(PostgresStoreTest, DescribeNamesTheDatabaseWithoutAPassword) {
  auto store = database_->Open();
  EXPECT_NE(store->Describe().find(database_->name()), std::string::npos) << store->Describe();
}

TEST_F(PostgresStoreTest, ServersStartingTogetherApplyEachMigrationOnce) {
  constexpr int kServers = 4;
  std::vector<std::future<std::string>> starts;
  for (int i = 0; i < kServers; ++i) {
    starts.push_back(std::async(std::launch::async, [&]() -> std::string {
      try {
        database_->Open();
        return "";
      } catch (const std::exception& e) {
        return e.what();
      }
    }));
  }
  for (auto& start : starts) EXPECT_EQ(start.get(), "");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(Migrations().size()));
}

TEST_F(PostgresStoreTest, ConnectionLostBeforeCommitIsRetriedOnAFreshConnection) {
  auto store = database_->Open();
  auto killer = Connect();
  int attempts = 0;
  Status status = store->Write<Ok>([&](Transaction& tx) -> Status {
    ++attempts;
    tx.SetMeta("attempt", std::to_string(attempts));
    if (attempts == 1) {
      // The server ends every other session of this database, the store's included.
      killer->Exec(
          "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
          "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    }
    tx.SetMeta("after", "yes");
    return OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(attempts, 2);
  auto meta = store->Read<std::optional<std::string>>(
      [](Transaction& tx) -> Result<std::optional<std::string>> { return tx.GetMeta("attempt"); });
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(*meta, "2");
}

// Writes whose outcome nobody reads are sent later, with the next statement that waits or
// with COMMIT (postgres_pipeline.h). One that fails must still fail the whole transaction,
// with its own error, and leave nothing. A Postpaid account of a missing account breaks a
// foreign key: a failure that no retry cures.
core::PostpaidAccount OrphanPostpaidAccount() {
  core::PostpaidAccount orphan;
  orphan.account_id = "no-such-account";
  return orphan;
}

TEST_F(PostgresStoreTest, AFailedDeferredWriteFailsTheTransactionAtCommitAndLeavesNothing) {
  auto store = database_->Open();
  bool ran_to_the_end = false;
  Status status = store->Write<Ok>([&](Transaction& tx) -> Status {
    tx.SetMeta("before", "v");
    tx.PutPostpaidAccount(OrphanPostpaidAccount());  // deferred: no error yet
    tx.SetMeta("after", "v");
    ran_to_the_end = true;
    return OkStatus();
  });
  EXPECT_TRUE(ran_to_the_end);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code,
            StoreFailureError(StoreError(StoreError::Kind::kConstraint, "")).code);
  auto meta = store->Read<std::optional<std::string>>(
      [](Transaction& tx) -> Result<std::optional<std::string>> { return tx.GetMeta("before"); });
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(*meta, std::nullopt) << "nothing of a failed transaction is kept";
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM meta WHERE key IN ('before', 'after')"), 0);
  Status after = store->Write<Ok>([](Transaction& tx) -> Status {
    tx.SetMeta("later", "v");
    return OkStatus();
  });
  EXPECT_TRUE(after.ok()) << "the connection is usable again";
}

TEST_F(PostgresStoreTest, AFailedDeferredWriteIsRaisedByTheNextReadWithItsOwnError) {
  auto store = database_->Open();
  std::optional<StoreError::Kind> kind;
  std::string message;
  Status status = store->Write<Ok>([&](Transaction& tx) -> Status {
    tx.PutPostpaidAccount(OrphanPostpaidAccount());
    try {
      tx.GetMeta("anything");
    } catch (const StoreError& e) {
      kind = e.kind();
      message = e.what();
      throw;
    }
    return OkStatus();
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(kind, StoreError::Kind::kConstraint);
  EXPECT_NE(message.find("INSERT INTO postpaid_accounts"), std::string::npos) << message;
  EXPECT_NE(message.find("23503"), std::string::npos) << message;  // foreign_key_violation
}

TEST_F(PostgresStoreTest, AFailedDeferredWriteOutranksTheRulesOwnRejection) {
  // Had the write waited, its error would have ended the transaction before the rule could
  // decide; so the caller sees the store's failure, not the rule's answer.
  auto store = database_->Open();
  Status status = store->Write<Ok>([&](Transaction& tx) -> Status {
    tx.PutPostpaidAccount(OrphanPostpaidAccount());
    return MakeError(ErrorCode::kInsufficientBalance, "the rule's own answer");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code,
            StoreFailureError(StoreError(StoreError::Kind::kConstraint, "")).code);
}

TEST_F(PostgresStoreTest, ReadOnAnUnreachableServerIsServiceUnavailable) {
  auto store = database_->Open();
  database_.reset();  // drops the database, ending the store's sessions with it
  auto read =
      store->Read<bool>([](Transaction& tx) -> Result<bool> { return tx.AnyAccountExists(); });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kServiceUnavailable);
}

TEST_F(PostgresStoreTest, TransactionStatusTellsCommittedFromAborted) {
  database_->Open();  // the schema
  auto connection = Connect();
  auto xid_of_open_transaction = [&](const std::string& key) {
    connection->Exec("BEGIN");
    connection->Exec("INSERT INTO meta (key, value) VALUES ('" + key + "', 'v')");
    auto stmt = connection->Prepare("SELECT CAST(pg_current_xact_id() AS TEXT)");
    stmt.Step();
    return stmt.Text(0);
  };
  std::string committed = xid_of_open_transaction("k1");
  connection->Exec("COMMIT");
  std::string aborted = xid_of_open_transaction("k2");
  connection->Exec("ROLLBACK");
  auto other = Connect();
  EXPECT_EQ(TransactionStatus(*other, committed), "committed");
  EXPECT_EQ(TransactionStatus(*other, aborted), "aborted");
}

// While one server applies an instance's transition, another server must not run that
// instance's later ones (time order per instance), but may run other instances' work.
TEST_F(PostgresStoreTest, ClaimSkipsTheLaterTransitionsOfAnInstanceClaimedElsewhere) {
  auto server_a = database_->Open();
  auto server_b = database_->Open();
  ASSERT_TRUE(
      server_a
          ->Write<Ok>([](Transaction& tx) -> Status {
            tx.ScheduleTransition(Transition{0, 100, TransitionKind::kSettle, "acct", "unit-x"});
            tx.ScheduleTransition(
                Transition{0, 200, TransitionKind::kAutoRelease, "acct", "unit-x"});
            tx.ScheduleTransition(Transition{0, 300, TransitionKind::kSettle, "acct", "unit-y"});
            return OkStatus();
          })
          .ok());
  std::promise<void> a_claimed;
  std::promise<void> b_done;
  std::shared_future<void> b_finished = b_done.get_future().share();
  std::thread a([&] {
    Status status = server_a->Write<Ok>([&](Transaction& tx) -> Status {
      auto t = tx.ClaimNextDue(1000);
      EXPECT_TRUE(t && t->instance_id == "unit-x" && t->due_at == 100);
      a_claimed.set_value();
      b_finished.wait();  // hold the claim while server B looks for work
      if (t) tx.DeleteTransition(t->id);
      return OkStatus();
    });
    EXPECT_TRUE(status.ok());
  });
  a_claimed.get_future().wait();
  auto b_claim = server_b->Write<std::optional<Transition>>(
      [](Transaction& tx) -> Result<std::optional<Transition>> { return tx.ClaimNextDue(1000); });
  b_done.set_value();
  a.join();
  ASSERT_TRUE(b_claim.ok());
  ASSERT_TRUE(b_claim->has_value());
  EXPECT_EQ((*b_claim)->instance_id, "unit-y");
}

}  // namespace
}  // namespace cuplane::store::postgres
