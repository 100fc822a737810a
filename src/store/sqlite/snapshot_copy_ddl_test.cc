#include "store/sqlite/snapshot_copy_ddl.h"

#include <gtest/gtest.h>

namespace cuplane::store::sqlite {
namespace {

TEST(SnapshotCopyDdlTest, SameColumnsAndIndexesWithoutForeignKeys) {
  auto statements = SnapshotCopyDefinition(
      "instances",
      "CREATE TABLE instances (\n  instance_id TEXT PRIMARY KEY,\n  account_id TEXT NOT NULL "
      "REFERENCES accounts(account_id),\n  seq BIGINT NOT NULL DEFAULT 0\n)",
      {"CREATE INDEX instances_by_account ON instances (account_id, seq)",
       "CREATE UNIQUE INDEX instances_by_seq ON instances(seq)"},
      "snapshot_3_instances");
  ASSERT_TRUE(statements.has_value());
  ASSERT_EQ(statements->size(), 3u);
  EXPECT_EQ((*statements)[0],
            "CREATE TABLE snapshot_3_instances (\n  instance_id TEXT PRIMARY KEY,\n  account_id "
            "TEXT NOT NULL,\n  seq BIGINT NOT NULL DEFAULT 0\n)");
  EXPECT_EQ((*statements)[1],
            "CREATE INDEX snapshot_3_instances_i1 ON snapshot_3_instances (account_id, seq)");
  EXPECT_EQ((*statements)[2],
            "CREATE UNIQUE INDEX snapshot_3_instances_i2 ON snapshot_3_instances (seq)");
}

TEST(SnapshotCopyDdlTest, AnythingBeyondTheSimpleFormIsRefused) {
  EXPECT_FALSE(SnapshotCopyDefinition(
      "t", "CREATE TABLE t (a TEXT, FOREIGN KEY (a) REFERENCES p(a))", {}, "c"));
  EXPECT_FALSE(SnapshotCopyDefinition(
      "t", "CREATE TABLE t (a TEXT REFERENCES p(a) ON DELETE CASCADE)", {}, "c"));
  EXPECT_FALSE(SnapshotCopyDefinition("t", "CREATE TABLE other (a TEXT)", {}, "c"));
  EXPECT_FALSE(SnapshotCopyDefinition("t", "CREATE TABLE t (a TEXT)",
                                      {"CREATE INDEX i ON t (a) WHERE a IS NOT NULL"}, "c"));
}

}  // namespace
}  // namespace cuplane::store::sqlite
