// The key cache's invalidation rules (SPEC §2) on a real store, SQLite and PostgreSQL: a change
// made through one Store counts on the next lookup through the same Store, and within the
// staleness bound through another Store on the same database (another server). Time is a
// hand-moved steady clock, so the one-second rule is tested without sleeping.
#include "auth/key_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/postgres/postgres_test_database.h"
#include "store/sqlite/sqlite_test_file.h"

namespace cuplane::auth {
namespace {

using namespace std::chrono_literals;

// Two servers' stores on one database.
struct SharedDatabase {
  std::shared_ptr<void> owner;
  std::unique_ptr<store::Store> a, b;
};

SharedDatabase OpenShared(const std::string& backend) {
  SharedDatabase db;
  if (backend == "Sqlite") {
    auto file = std::make_shared<store::sqlite::SqliteTestFile>();
    db.a = file->Open();
    db.b = file->Open();
    db.owner = file;
  } else {
    auto database = std::make_shared<store::postgres::PostgresTestDatabase>(
        store::postgres::PostgresTestDatabase::AdminUrl());
    db.a = database->Open();
    db.b = database->Open();
    db.owner = database;
  }
  return db;
}

class KeyCacheTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "Postgresql" && store::postgres::PostgresTestDatabase::AdminUrl().empty()) {
      if (store::postgres::PostgresTestsRequired()) FAIL() << store::postgres::kPostgresSkipMessage;
      GTEST_SKIP() << store::postgres::kPostgresSkipMessage;
    }
    db_ = OpenShared(GetParam());
    Write([&](store::Transaction& tx) {
      tx.InsertAccount(core::Account{"acct-1", "one", 0, std::nullopt, 0});
      tx.InsertUser("acct-1", "alice", 0);
      tx.AddPolicy("acct-1", "alice", core::Policy::kServiceRead);
      InsertKey(tx, "ak-1", "sk-1");
    });
    cache_a_ = std::make_unique<KeyCache>(*db_.a, box_, KeyCache::Options{}, [&] { return now_; });
    cache_b_ = std::make_unique<KeyCache>(*db_.b, box_, KeyCache::Options{}, [&] { return now_; });
  }

  void InsertKey(store::Transaction& tx, const std::string& ak, const std::string& sk) {
    tx.InsertAccessKey(core::AccessKey{ak, box_.Seal(sk), false, true, "acct-1", "alice"}, 0);
  }

  // A change committed through server A's store.
  template <typename Fn>
  void Write(Fn fn) {
    auto done = db_.a->Write<bool>([&](store::Transaction& tx) -> Result<bool> {
      fn(tx);
      return true;
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  static std::string CodeOf(const Result<std::shared_ptr<const CachedKey>>& r) {
    return r.ok() ? "ok" : std::string(ErrorCodeName(r.error().code));
  }

  SecretBox box_{std::array<unsigned char, SecretBox::kKeyBytes>{7}};
  KeyCache::TimePoint now_ = KeyCache::TimePoint{} + 1000s;
  SharedDatabase db_;
  std::unique_ptr<KeyCache> cache_a_, cache_b_;
};

TEST_P(KeyCacheTest, FindsAnEnabledKeyWithItsSecretAndPolicies) {
  auto found = cache_a_->Find("ak-1");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ((*found)->secret, "sk-1");
  EXPECT_EQ((*found)->key.account_id, "acct-1");
  ASSERT_EQ((*found)->policies.size(), 1u);
  EXPECT_EQ((*found)->policies[0], core::Policy::kServiceRead);
  EXPECT_EQ(CodeOf(cache_a_->Find("no-such-key")), "InvalidAccessKeyId");
  // Qianfan IAM's text, word for word, for an unknown key and for a disabled one alike.
  auto unknown = cache_a_->Find("no-such-key");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "NotFound, cause: Could not find credential.");
  Write([&](store::Transaction& tx) { tx.SetAccessKeyEnabled("ak-1", false); });
  auto disabled = cache_a_->Find("ak-1");
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().message, unknown.error().message);
}

TEST_P(KeyCacheTest, AChangeCountsOnTheNextLookupOnTheServerThatMadeIt) {
  ASSERT_EQ(CodeOf(cache_a_->Find("ak-1")), "ok");
  ASSERT_EQ(CodeOf(cache_a_->Find("ak-2")), "InvalidAccessKeyId");
  // No time passes at all: only the local change can tell the cache.
  Write([&](store::Transaction& tx) { tx.AddPolicy("acct-1", "alice", core::Policy::kFullControl); });
  auto found = cache_a_->Find("ak-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->policies.size(), 2u);

  Write([&](store::Transaction& tx) { InsertKey(tx, "ak-2", "sk-2"); });
  EXPECT_EQ(CodeOf(cache_a_->Find("ak-2")), "ok");

  Write([&](store::Transaction& tx) { tx.SetAccessKeyEnabled("ak-1", false); });
  EXPECT_EQ(CodeOf(cache_a_->Find("ak-1")), "InvalidAccessKeyId");

  Write([&](store::Transaction& tx) { tx.RemovePolicy("acct-1", "alice", core::Policy::kFullControl); });
  found = cache_a_->Find("ak-2");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->policies.size(), 1u);
}

TEST_P(KeyCacheTest, AnotherServersChangeCountsWithinOneSecond) {
  ASSERT_EQ(CodeOf(cache_b_->Find("ak-1")), "ok");
  Write([&](store::Transaction& tx) { tx.SetAccessKeyEnabled("ak-1", false); });
  now_ += 400ms;  // server B has not looked at the generation since: it still trusts its entry
  EXPECT_EQ(CodeOf(cache_b_->Find("ak-1")), "ok");
  now_ += 600ms;  // one second since B last confirmed: it must look before answering
  EXPECT_EQ(CodeOf(cache_b_->Find("ak-1")), "InvalidAccessKeyId");
}

TEST_P(KeyCacheTest, ALookAheadOfTheDeadlineKeepsTheOneSecondBound) {
  ASSERT_EQ(CodeOf(cache_b_->Find("ak-1")), "ok");
  now_ += 600ms;  // past refresh_after: this lookup confirms (nothing changed yet)
  EXPECT_EQ(CodeOf(cache_b_->Find("ak-1")), "ok");
  Write([&](store::Transaction& tx) { tx.SetAccessKeyEnabled("ak-1", false); });
  now_ += 400ms;  // 1 s after the first look, 0.4 s after the second: still trusted
  EXPECT_EQ(CodeOf(cache_b_->Find("ak-1")), "ok");
  now_ += 200ms;  // past refresh_after again: this lookup looks, and sees the change
  EXPECT_EQ(CodeOf(cache_b_->Find("ak-1")), "InvalidAccessKeyId");
}

TEST_P(KeyCacheTest, BumpAuthGenerationAddsOneInItsTransaction) {
  // What a reset or restore does: it must call BumpAuthGeneration in its transaction.
  ASSERT_EQ(CodeOf(cache_b_->Find("ak-1")), "ok");
  auto generation = db_.a->Read<std::int64_t>(
      [](store::Transaction& tx) -> Result<std::int64_t> { return tx.AuthGeneration(); });
  ASSERT_TRUE(generation.ok());
  Write([&](store::Transaction& tx) { tx.BumpAuthGeneration(); });
  auto after = db_.a->Read<std::int64_t>(
      [](store::Transaction& tx) -> Result<std::int64_t> { return tx.AuthGeneration(); });
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *generation + 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, KeyCacheTest, ::testing::Values("Sqlite", "Postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cuplane::auth
