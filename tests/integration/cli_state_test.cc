// The `cuplane state` and `cuplane snapshot` commands against the real server: Reset and the
// snapshot round trip, the --yes that guards replacing the state, and their errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class CliStateTest : public CliTest {
 protected:
  // The units of svc-a, as its tenant lists them.
  size_t UnitsOfSvcA() const {
    return CliJson({"unit", "list", "svc-a"}, kTenantAdmin).at("instances").as_array().size();
  }

  // A command that replaces the state, given without --yes: refused before any request.
  void ExpectConfirmationRequired(std::vector<std::string> args) {
    CommandResult r = Cli(std::move(args));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("--yes"));
    EXPECT_THAT(r.output, Not(HasSubstr("error: "))) << "reached the server: " << r.output;
  }
};

TEST_F(CliStateTest, ResetClearsABoughtUnitAndNeedsYes) {
  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);
  ASSERT_FALSE(id.empty());
  CliOk({"account", "top-up", "acct-a", "5"});

  ExpectConfirmationRequired({"state", "reset"});
  EXPECT_EQ(UnitsOfSvcA(), 1u);

  EXPECT_THAT(CliOk({"state", "reset", "--yes"}),
              HasSubstr("State reset to the server's bootstrap."));
  EXPECT_EQ(UnitsOfSvcA(), 0u);
  ExpectApiError({"unit", "describe", id}, kTenantAdmin, "ResourceNotFound");
  EXPECT_TRUE(HasRow(CliOk({"inventory", "list"}), {"bj", "gpu-1", "20", "0", "20"}));
  EXPECT_EQ(CliJson({"account", "describe", "acct-a"}).at("balance"), 100000000);
  EXPECT_EQ(CliJson({"state", "reset", "--yes"}), true);
  // Only an operator may.
  ExpectApiError({"state", "reset", "--yes"}, kTenantAdmin, "AccessDenied");
}

TEST_F(CliStateTest, SnapshotsSaveListRestoreAndDelete) {
  std::string empty_list = CliOk({"snapshot", "list"});
  EXPECT_TRUE(HasRow(empty_list, {"NAME", "SAVED", "AT", "ROWS", "DIGEST"})) << empty_list;
  EXPECT_EQ(empty_list.find('\n'), empty_list.size() - 1) << "no rows expected: " << empty_list;

  EXPECT_THAT(CliOk({"snapshot", "save", "bare"}), HasSubstr("Saved snapshot bare."));
  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(CliJson({"snapshot", "save", "one-unit"}), true);

  json::array snapshots = CliJson({"snapshot", "list"}).at("snapshots").as_array();
  ASSERT_EQ(snapshots.size(), 2u);
  EXPECT_EQ(snapshots.at(0).at("name"), "bare");
  EXPECT_EQ(snapshots.at(1).at("name"), "one-unit");
  EXPECT_NE(snapshots.at(0).at("digest"), snapshots.at(1).at("digest"));
  EXPECT_EQ(Str(snapshots.at(0).at("digest")).size(), 64u);
  std::string table = CliOk({"snapshot", "list"});
  EXPECT_TRUE(HasRow(table, {"bare", Str(snapshots.at(0).at("savedAt")),
                             std::to_string(snapshots.at(0).at("rows").as_int64()),
                             Str(snapshots.at(0).at("digest"))}))
      << table;

  ExpectConfirmationRequired({"snapshot", "restore", "bare"});
  EXPECT_EQ(UnitsOfSvcA(), 1u);
  EXPECT_THAT(CliOk({"snapshot", "restore", "bare", "--yes"}),
              HasSubstr("Restored snapshot bare."));
  EXPECT_EQ(UnitsOfSvcA(), 0u);
  ExpectApiError({"unit", "describe", id}, kTenantAdmin, "ResourceNotFound");
  EXPECT_EQ(CliJson({"snapshot", "restore", "one-unit", "--yes"}), true);
  EXPECT_EQ(Str(DescribeUnit(id, kTenantAdmin).at("instanceId")), id);

  EXPECT_THAT(CliOk({"snapshot", "delete", "one-unit"}), HasSubstr("Deleted snapshot one-unit."));
  snapshots = CliJson({"snapshot", "list"}).at("snapshots").as_array();
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots.at(0).at("name"), "bare");
}

TEST_F(CliStateTest, UnknownOrBadSnapshotNamesPrintTheApiError) {
  ExpectApiError({"snapshot", "restore", "never-saved", "--yes"}, kOperatorKey, "ResourceNotFound");
  ExpectApiError({"snapshot", "delete", "never-saved"}, kOperatorKey, "ResourceNotFound");
  ExpectApiError({"snapshot", "save", "not a name"}, kOperatorKey, "InvalidParameter");
  ExpectApiError({"snapshot", "list"}, kTenantAdmin, "AccessDenied");
  // A command line without the name never reaches the server.
  CommandResult r = Cli({"snapshot", "save"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, Not(HasSubstr("error: "))) << r.output;
}

}  // namespace
}  // namespace cuplane::testing
