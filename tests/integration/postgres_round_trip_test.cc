// How often a store transaction on PostgreSQL waits for the database, counted on the wire by a
// relay (stalling_proxy.h) rather than by the store itself: BEGIN, and the writes whose
// outcome nobody reads, travel with the next statement that waits or with COMMIT
// (postgres_pipeline.h), so a transaction costs one round trip per read, not per statement.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "stalling_proxy.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_test_database.h"
#include "test_backend.h"

namespace cuplane::testing {
namespace {

using store::Transaction;

class PostgresRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    if (!PostgresBackendRequested()) {
      GTEST_SKIP() << "round trips to PostgreSQL are counted in the postgres. run of this suite";
    }
    database_ = std::make_unique<store::postgres::PostgresTestDatabase>(
        store::postgres::PostgresTestDatabase::AdminUrl());
    auto [host, port] = TestBackend::PostgresAddress();
    proxy_ = std::make_unique<StallingProxy>(host, port);
    // In a libpq connection string a later keyword wins: the same database, via the relay.
    store_ = std::make_unique<store::postgres::PostgresStore>(
        database_->url() + " host=127.0.0.1 port=" + std::to_string(proxy_->port()));
    Run([](Transaction& tx) { tx.InsertAccount(core::Account{"acct", "a", 0, std::nullopt, 1}); },
        true);
  }

  void Run(const std::function<void(Transaction&)>& fn, bool write) {
    auto body = [&](Transaction& tx) -> Status {
      fn(tx);
      return OkStatus();
    };
    Status status = write ? store_->Write<Ok>(body) : store_->Read<Ok>(body);
    ASSERT_TRUE(status.ok()) << status.error().message;
  }

  // The round trips of one run of `fn`, after a first run that prepared its statements on the
  // store's connection (one, reused: the transactions run one after another).
  std::int64_t RoundTrips(const std::function<void(Transaction&)>& fn, bool write = true) {
    Run(fn, write);
    std::int64_t before = proxy_->round_trips();
    Run(fn, write);
    return proxy_->round_trips() - before;
  }

  std::unique_ptr<store::postgres::PostgresTestDatabase> database_;
  std::unique_ptr<StallingProxy> proxy_;
  std::unique_ptr<store::postgres::PostgresStore> store_;
};

void SetMetas(Transaction& tx, int n) {
  for (int i = 0; i < n; ++i) tx.SetMeta("key-" + std::to_string(i), "value");
}

TEST_F(PostgresRoundTripTest, WritesNobodyReadsCostNoRoundTripOfTheirOwn) {
  std::int64_t one = RoundTrips([](Transaction& tx) { SetMetas(tx, 1); });
  std::int64_t ten = RoundTrips([](Transaction& tx) { SetMetas(tx, 10); });
  EXPECT_EQ(ten, one);
  EXPECT_LT(ten, 10);
}

TEST_F(PostgresRoundTripTest, AfterARowLockTheWritesTravelWithCommit) {
  // The lock gives the transaction its id, learned with the read; so nothing more needs asking
  // before COMMIT, and the writes go with it.
  std::int64_t lock = RoundTrips([](Transaction& tx) { tx.GetAccount("acct"); });
  std::int64_t lock_and_writes = RoundTrips([](Transaction& tx) {
    tx.GetAccount("acct");
    SetMetas(tx, 10);
    tx.ScheduleTransition(core::Transition{0, 100, core::TransitionKind::kSettle, "acct", ""});
  });
  EXPECT_EQ(lock_and_writes, lock);
}

TEST_F(PostgresRoundTripTest, EachReadWaitsOnceAndBeginWaitsForNone) {
  std::int64_t none = RoundTrips([](Transaction&) {}, false);
  std::int64_t one = RoundTrips([](Transaction& tx) { tx.GetMeta("a"); }, false);
  std::int64_t five = RoundTrips(
      [](Transaction& tx) {
        for (int i = 0; i < 5; ++i) tx.GetMeta("a");
      },
      false);
  EXPECT_EQ(five - one, 4);
  EXPECT_EQ(one - none, 1);
  EXPECT_EQ(none, 1) << "BEGIN and COMMIT of an empty transaction are one exchange";
}

TEST_F(PostgresRoundTripTest, AnAccountIsReadOncePerTransaction) {
  // A purchase reads its account, then reads it again in the shared purchase step.
  std::int64_t once = RoundTrips([](Transaction& tx) { tx.GetAccount("acct"); });
  std::int64_t twice = RoundTrips([](Transaction& tx) {
    tx.GetAccount("acct");
    tx.GetAccount("acct");
  });
  EXPECT_EQ(twice, once);
}

TEST_F(PostgresRoundTripTest, FaultsAreLookedUpOncePerTransaction) {
  // A purchase asks for eight fault keys; with none armed, that is one read.
  std::int64_t one = RoundTrips([](Transaction& tx) {
    tx.TakeFault(core::FaultOperation::kProvision, "bj", "gpu-1");
  });
  std::int64_t eight = RoundTrips([](Transaction& tx) {
    for (const char* region : {"bj", ""}) {
      for (const char* type : {"gpu-1", ""}) {
        tx.TakeFault(core::FaultOperation::kProvision, region, type);
        tx.TakeFault(core::FaultOperation::kDeploy, region, type);
      }
    }
  });
  EXPECT_EQ(eight, one);
}

}  // namespace
}  // namespace cuplane::testing
