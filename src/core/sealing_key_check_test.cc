// CheckSealingKey on a real SQLite store: every outcome, including a store written before
// check values were recorded.
#include "core/sealing_key_check.h"

#include <gtest/gtest.h>

#include <openssl/rand.h>

#include "common/digest.h"
#include "store/sqlite/sqlite_test_file.h"

namespace cuplane::core {
namespace {

SecretBox RandomBox() {
  std::array<unsigned char, SecretBox::kKeyBytes> key{};
  RAND_bytes(key.data(), static_cast<int>(key.size()));
  return SecretBox(key);
}

SealingKeyCheck Check(store::Store& store, const SecretBox& box, bool key_is_new) {
  auto outcome = store.Write<SealingKeyCheck>(
      [&](store::Transaction& tx) -> Result<SealingKeyCheck> {
        return CheckSealingKey(tx, box, key_is_new);
      });
  EXPECT_TRUE(outcome.ok());
  return *outcome;
}

void SealOneSecret(store::Store& store, const SecretBox& box) {
  auto done = store.Write<Ok>([&](store::Transaction& tx) -> Status {
    tx.InsertAccessKey(AccessKey{"op", box.Seal("op-secret"), true, true, "", ""}, 0);
    return OkStatus();
  });
  ASSERT_TRUE(done.ok());
}

TEST(SealingKeyCheckTest, TheFirstKeyIsRecordedAndThenMatches) {
  store::sqlite::SqliteTestFile file;
  auto store = file.Open();
  SecretBox box = RandomBox();
  EXPECT_EQ(Check(*store, box, true), SealingKeyCheck::kRecorded);
  SealOneSecret(*store, box);
  EXPECT_EQ(Check(*store, box, false), SealingKeyCheck::kMatches);
}

TEST(SealingKeyCheckTest, AnotherKeyIsAMismatchAndANewOneIsALostKey) {
  store::sqlite::SqliteTestFile file;
  auto store = file.Open();
  SecretBox box = RandomBox();
  EXPECT_EQ(Check(*store, box, true), SealingKeyCheck::kRecorded);
  SealOneSecret(*store, box);
  EXPECT_EQ(Check(*store, RandomBox(), false), SealingKeyCheck::kMismatch);
  EXPECT_EQ(Check(*store, RandomBox(), true), SealingKeyCheck::kNewKeyForSealedStore);
  EXPECT_EQ(Check(*store, box, false), SealingKeyCheck::kMatches);  // nothing was overwritten
}

TEST(SealingKeyCheckTest, AStoreWithoutACheckValueIsJudgedByItsSealedSecrets) {
  store::sqlite::SqliteTestFile file;
  auto store = file.Open();
  SecretBox box = RandomBox();
  SealOneSecret(*store, box);  // as written before check values existed
  EXPECT_EQ(Check(*store, RandomBox(), true), SealingKeyCheck::kNewKeyForSealedStore);
  EXPECT_EQ(Check(*store, RandomBox(), false), SealingKeyCheck::kMismatch);
  EXPECT_EQ(Check(*store, box, false), SealingKeyCheck::kRecorded);
  EXPECT_EQ(Check(*store, box, false), SealingKeyCheck::kMatches);
}

TEST(SealingKeyCheckTest, TheCheckValueIsStableAndDoesNotContainTheKey) {
  std::array<unsigned char, SecretBox::kKeyBytes> key{};
  key.fill(0xab);
  SecretBox box(key);
  std::string check = box.CheckValue();
  EXPECT_EQ(check.rfind("v1:", 0), 0u);
  EXPECT_EQ(check.find(LowerHex(key.data(), key.size())), std::string::npos);
  EXPECT_EQ(check, SecretBox(key).CheckValue());
  EXPECT_NE(check, RandomBox().CheckValue());
}

}  // namespace
}  // namespace cuplane::core
