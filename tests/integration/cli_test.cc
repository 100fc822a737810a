// The `cuplane` client commands against the real server (SPEC §6): every operator and tenant
// command, table and --json output, errors with code and exit status, and where the endpoint
// and keys come from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "cli_test_fixture.h"
#include "common/time_util.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(CliHelpTest, HelpListsTheCommands) {
  CommandResult r = RunCommand({"help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* command : {"serve", "operator-key", "account", "user", "key", "policy",
                              "service", "inventory", "price", "clock", "unit", "purchase", "svc",
                              "auto-release", "top-up", "state reset", "snapshot save",
                              "snapshot restore", "snapshot list", "snapshot delete", "--json",
                              "CUPLANE_ENDPOINT", "--ca-file", "CUPLANE_CA_FILE"}) {
    EXPECT_THAT(r.output, HasSubstr(command));
  }
}

TEST_F(CliTest, OperatorSetsUpATenantEntirelyFromTheCliAndItsKeysBuy) {
  EXPECT_THAT(
      CliOk({"account", "create", "--name", "shop", "--id", "acct-shop", "--balance", "50000000"}),
      HasSubstr("Created account acct-shop."));
  EXPECT_THAT(CliOk({"user", "create", "acct-shop", "buyer", "--policy",
                     "QianfanServiceOperateAccessPolicy"}),
              HasSubstr("Created user buyer in acct-shop."));
  CliOk({"user", "create", "acct-shop", "viewer", "--policy", "QianfanServiceReadAccessPolicy"});
  json::value buyer_json = CliJson({"key", "create", "acct-shop", "buyer"});
  Key buyer{std::string(buyer_json.at("accessKey").as_string()),
            std::string(buyer_json.at("secretKey").as_string())};
  std::string viewer_out = CliOk({"key", "create", "acct-shop", "viewer"});
  EXPECT_THAT(viewer_out, HasSubstr("shown only once"));
  Key viewer{FieldOf(viewer_out, "Access key"), FieldOf(viewer_out, "Secret key")};
  ASSERT_FALSE(viewer.secret_key.empty()) << viewer_out;
  EXPECT_THAT(CliOk({"inventory", "set", "sz", "gpu-2", "16"}),
              HasSubstr("Pool sz/gpu-2 now has 16 units."));
  CliOk({"price", "set", "gpu-2", "--prepaid-per-unit-month", "200000", "--postpaid-per-unit-hour",
         "300"});
  EXPECT_THAT(CliOk({"service", "create", "acct-shop", "--name", "shop-chat", "--region", "sz",
                     "--type", "gpu-2", "--units-per-replica", "4", "--id", "svc-shop"}),
              HasSubstr("Created service svc-shop."));

  std::string postpaid = BuyPostpaid("svc-shop", 2, buyer);
  ASSERT_THAT(postpaid, StartsWith("unit-"));
  std::string out = CliOk({"unit", "purchase", "svc-shop", "--replicas", "1", "--prepaid",
                           "--months", "3", "--auto-renew", "--renew-months", "2"},
                          buyer);
  std::smatch match;
  ASSERT_TRUE(std::regex_search(out, match, std::regex("Purchased (unit-[a-z0-9]+)"))) << out;
  std::string prepaid = match[1];

  out = CliOk({"unit", "list", "svc-shop"}, viewer);
  EXPECT_THAT(out, HasSubstr("INSTANCE"));
  EXPECT_TRUE(std::regex_search(out, std::regex(postpaid + "\\s+Postpaid\\s+2\\s"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(prepaid + "\\s+Prepaid\\s+1\\s"))) << out;
  WaitRunning(prepaid, viewer);
  out = CliOk({"unit", "describe", prepaid}, viewer);
  EXPECT_EQ(FieldOf(out, "Type"), "gpu-2") << out;
  EXPECT_EQ(FieldOf(out, "Region"), "sz") << out;
  EXPECT_EQ(FieldOf(out, "Creator"), "buyer") << out;
  EXPECT_THAT(out, HasSubstr("/4\n"));
  EXPECT_THAT(out, HasSubstr("3 MONTH"));
  EXPECT_THAT(out, HasSubstr("every 2 MONTH"));
  ExpectApiError({"unit", "purchase", "svc-shop", "--replicas", "1", "--postpaid"}, viewer,
                 "AccessDenied");

  EXPECT_TRUE(HasRow(CliOk({"inventory", "list"}), {"sz", "gpu-2", "16", "12", "4"}));
  out = CliOk({"account", "describe", "acct-shop"});
  EXPECT_EQ(FieldOf(out, "Name"), "shop") << out;
  // The Postpaid unit's usage so far (a few fen) is settled on describe, too.
  std::int64_t balance = std::stoll(FieldOf(out, "Balance \\(fen\\)"));
  EXPECT_LE(balance, 50000000 - 3 * 4 * 200000) << out;
  EXPECT_GT(balance, 50000000 - 3 * 4 * 200000 - 1000) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("-2400000\\s+prepaid\\s+" + prepaid))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("50000000\\s+topup"))) << out;
  EXPECT_TRUE(HasRow(CliOk({"service", "list", "acct-shop"}),
                     {"svc-shop", "shop-chat", "sz", "gpu-2", "4", "\\S+"}));
}

TEST_F(CliTest, UnitResizeChangesTheSizeAndNamesTheOrder) {
  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);
  ASSERT_FALSE(id.empty());
  WaitRunning(id, kTenantAdmin);
  std::string out = CliOk({"unit", "resize", id, "--count", "5", "--client-token", "cli-1"},
                          kTenantAdmin);
  EXPECT_TRUE(std::regex_search(out, std::regex("to 5 units .*order ord-[a-z0-9]{16}"))) << out;
  EXPECT_EQ(DescribeUnit(id, kTenantAdmin).at("totalComputeUnits"), 5);
  json::value again =
      CliJson({"unit", "resize", id, "--count", "5", "--client-token", "cli-1"}, kTenantAdmin);
  EXPECT_NE(out.find(Str(again.at("orderId"))), std::string::npos) << "the replay's order";
  ExpectApiError({"unit", "resize", id, "--count", "1"}, kTenantAdmin, "OperationNotAllowed");
}

TEST_F(CliTest, AutoReleaseSchedulesAndClearsAPostpaidRelease) {
  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);
  ASSERT_FALSE(id.empty());
  WaitRunning(id, kTenantAdmin);
  EXPECT_THAT(CliOk({"unit", "auto-release", id, "--at", "2099-01-01T00:00:00Z"}, kTenantAdmin),
              HasSubstr("will be released at 2099-01-01T00:00:00Z"));
  EXPECT_EQ(DescribeUnit(id, kTenantAdmin).at("releaseTime"), "2099-01-01T00:00:00Z");
  EXPECT_EQ(FieldOf(CliOk({"unit", "describe", id}, kTenantAdmin), "Release at"),
            "2099-01-01T00:00:00Z");
  // The server's --local-offset (+08:00) applies to the local form.
  CliOk({"unit", "auto-release", id, "--at", "2099-01-01 08:00:00"}, kTenantAdmin);
  EXPECT_EQ(DescribeUnit(id, kTenantAdmin).at("releaseTime"), "2099-01-01T00:00:00Z");
  EXPECT_THAT(CliOk({"unit", "auto-release", id, "--clear"}, kTenantAdmin), HasSubstr("cleared"));
  EXPECT_FALSE(DescribeUnit(id, kTenantAdmin).as_object().contains("releaseTime"));

  json::value listed = CliJson({"unit", "list", "svc-a", "--payment", "Postpaid"}, kTenantAdmin);
  ASSERT_EQ(listed.at("instances").as_array().size(), 1u);
  EXPECT_EQ(Str(listed.at("instances").at(0).at("instanceId")), id);
  EXPECT_TRUE(CliJson({"unit", "list", "svc-a", "--payment", "Prepaid"}, kTenantAdmin)
                  .at("instances")
                  .as_array()
                  .empty());

  json::value prepaid = CliJson(
      {"unit", "purchase", "svc-a", "--replicas", "1", "--prepaid", "--months", "1"}, kTenantAdmin);
  ExpectApiError({"unit", "auto-release", std::string(prepaid.at("instanceId").as_string()), "--at",
                  "2099-01-01T00:00:00Z"},
                 kTenantAdmin, "OperationNotAllowed");
}

TEST_F(CliTest, JsonOutputIsTheResult) {
  json::value account = CliJson({"account", "describe", "acct-a"});
  EXPECT_EQ(account.at("accountId"), "acct-a");
  EXPECT_EQ(account.at("balance"), 100000000);
  EXPECT_EQ(account.at("inArrears"), false);
  EXPECT_EQ(CliJson({"account", "top-up", "acct-a", "500"}).at("balance"), 100000500);
  EXPECT_THAT(Str(CliJson({"account", "create", "--name", "x"}).at("accountId")),
              StartsWith("acct-"));
  EXPECT_EQ(CliJson({"user", "create", "acct-a", "extra"}).at("name"), "extra");
  EXPECT_EQ(CliJson({"policy", "attach", "acct-a", "extra", "QianfanServiceReadAccessPolicy"}),
            true);
  EXPECT_EQ(CliJson({"service", "create", "acct-a", "--name", "n", "--region", "bj", "--type",
                     "gpu-1", "--units-per-replica", "1", "--id", "svc-json"})
                .at("serviceId"),
            "svc-json");
  EXPECT_EQ(CliJson({"service", "list", "acct-a"}).at("services").as_array().size(), 2u);
  json::value pools = CliJson({"inventory", "list"}).at("pools");
  EXPECT_EQ(pools.at(0).at("totalUnits"), 20);
  EXPECT_EQ(CliJson({"inventory", "set", "bj", "gpu-1", "30"}), true);
  EXPECT_EQ(CliJson({"price", "set", "cpu", "--prepaid-per-unit-month", "1000",
                     "--postpaid-per-unit-hour", "2"}),
            true);
  EXPECT_EQ(CliJson({"price", "list"}).at("prices").as_array().size(), 2u);
  EXPECT_EQ(CliJson({"clock", "show"}).at("mode"), "system");
}

TEST_F(CliTest, TablesShowTheValues) {
  std::string out = CliOk({"inventory", "list"});
  EXPECT_TRUE(HasRow(out, {"REGION", "TYPE", "TOTAL", "ALLOCATED", "FREE"})) << out;
  EXPECT_TRUE(HasRow(out, {"bj", "gpu-1", "20", "0", "20"})) << out;
  out = CliOk({"price", "list"});
  EXPECT_TRUE(HasRow(out, {"gpu-1", "300000", "500"})) << out;
  out = CliOk({"service", "list", "acct-a"});
  EXPECT_TRUE(HasRow(out, {"svc-a", "chat-a", "bj", "gpu-1", "2", "\\S+"})) << out;
  out = CliOk({"clock", "show"});
  EXPECT_EQ(FieldOf(out, "Mode"), "system") << out;
  out = CliOk({"account", "describe", "acct-a"});
  EXPECT_EQ(FieldOf(out, "Account"), "acct-a") << out;
  EXPECT_EQ(FieldOf(out, "In arrears"), "no") << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("100000000\\s+topup"))) << out;
  EXPECT_THAT(CliOk({"account", "top-up", "acct-a", "7"}),
              HasSubstr("Balance of acct-a is now 100000007 fen."));
}

TEST_F(CliTest, AccountLedgerPagesWithMarker) {
  CliOk({"account", "top-up", "acct-a", "1"});
  CliOk({"account", "top-up", "acct-a", "2"});
  std::string out = CliOk({"account", "describe", "acct-a", "--max-keys", "2"});
  std::smatch match;
  ASSERT_TRUE(std::regex_search(out, match, std::regex("--marker (\\S+)"))) << out;
  json::value rest =
      CliJson({"account", "describe", "acct-a", "--max-keys", "2", "--marker", match[1].str()});
  ASSERT_EQ(rest.at("ledger").as_array().size(), 1u);
  EXPECT_EQ(rest.at("ledger").at(0).at("amount"), 100000000);
  EXPECT_FALSE(rest.as_object().contains("nextMarker"));
}

TEST_F(CliTest, ApiErrorsPrintCodeAndMessageAndExitOne) {
  ExpectApiError({"account", "describe", "acct-nope"}, kOperatorKey, "ResourceNotFound");
  ExpectApiError({"account", "top-up", "acct-nope", "5"}, kOperatorKey, "ResourceNotFound");
  ExpectApiError({"unit", "describe", "unit-000000000000"}, kTenantAdmin, "ResourceNotFound");

  BuyPostpaid("svc-a", 2, kTenantAdmin);  // 4 of the 20 units
  ExpectApiError({"inventory", "set", "bj", "gpu-1", "3"}, kOperatorKey, "OperationNotAllowed");
  CliOk({"inventory", "set", "bj", "gpu-1", "4"});

  ExpectApiError({"inventory", "list"}, kTenantAdmin, "AccessDenied");
  ExpectApiError({"unit", "list", "svc-a"}, kOperatorKey, "AccessDenied");
  ExpectApiError({"clock", "advance", "--seconds", "60"}, kOperatorKey, "OperationNotAllowed");
  ExpectApiError({"user", "create", "acct-a", "bad", "--policy", "NoSuchPolicy"}, kOperatorKey,
                 "InvalidParameter");
}

TEST_F(CliTest, WrongSecretIsRefusedAndNeverPrinted) {
  CommandResult r = Cli({"inventory", "list"}, {"op-ak", "wrong-secret-xyz"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, StartsWith("error: SignatureDoesNotMatch: "));
  EXPECT_THAT(r.output, Not(HasSubstr("wrong-secret-xyz")));
  ExpectApiError({"inventory", "list"}, {"no-such-ak", "x"}, "InvalidAccessKeyId");
}

TEST_F(CliTest, DisabledKeyIsRefusedAtOnce) {
  json::value created = CliJson({"key", "create", "acct-a", "reader"});
  Key key{std::string(created.at("accessKey").as_string()),
          std::string(created.at("secretKey").as_string())};
  CliOk({"unit", "list", "svc-a"}, key);
  EXPECT_THAT(CliOk({"key", "disable", key.access_key}),
              HasSubstr("Disabled access key " + key.access_key + "."));
  ExpectApiError({"unit", "list", "svc-a"}, key, "InvalidAccessKeyId");
  // The user's other key still works.
  CliOk({"unit", "list", "svc-a"}, {"a-reader", "a-reader-sk"});
}

TEST_F(CliTest, DetachedPolicyTakesEffectOnTheNextRequest) {
  const Key ops{"a-ops", "a-ops-sk"};
  CliOk({"unit", "list", "svc-a"}, ops);
  EXPECT_THAT(CliOk({"policy", "detach", "acct-a", "ops", "QianfanServiceOperateAccessPolicy"}),
              HasSubstr("Detached QianfanServiceOperateAccessPolicy for user ops of acct-a."));
  ExpectApiError({"unit", "list", "svc-a"}, ops, "AccessDenied");
  CliOk({"policy", "attach", "acct-a", "ops", "QianfanServiceReadAccessPolicy"});
  CliOk({"unit", "list", "svc-a"}, ops);
  ExpectApiError({"unit", "purchase", "svc-a", "--replicas", "1", "--postpaid"}, ops,
                 "AccessDenied");
}

TEST_F(CliTest, MissingCredentialsExitTwoWithAClearMessage) {
  CommandResult r = RunCommand({"unit", "list", "svc-a", "--endpoint", Endpoint()}, kNoCliEnv);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("no credentials"));
  EXPECT_THAT(r.output, HasSubstr("CUPLANE_ACCESS_KEY"));
  r = RunCommand({"clock", "show", "--endpoint", Endpoint(), "--access-key", "op-ak"}, kNoCliEnv);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--secret-key"));
}

TEST_F(CliTest, EndpointAndKeyComeFromTheEnvironmentAndFlagsWin) {
  const EnvChanges env = {{"CUPLANE_ENDPOINT", Endpoint()},
                          {"CUPLANE_ACCESS_KEY", "op-ak"},
                          {"CUPLANE_SECRET_KEY", "op-sk"}};
  CommandResult r = RunCommand({"clock", "show", "--json"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"mode\":\"system\""));

  // A tenant's key from the flags overrides the operator key in the environment.
  r = RunCommand({"clock", "show", "--access-key", "a-admin", "--secret-key", "a-admin-sk"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, StartsWith("error: AccessDenied: "));

  // An endpoint flag overrides a wrong one in the environment.
  const EnvChanges wrong_endpoint = {{"CUPLANE_ENDPOINT", "http://127.0.0.1:1"},
                                     {"CUPLANE_ACCESS_KEY", "op-ak"},
                                     {"CUPLANE_SECRET_KEY", "op-sk"}};
  r = RunCommand({"clock", "show", "--endpoint", Endpoint()}, wrong_endpoint);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = RunCommand({"clock", "show"}, wrong_endpoint);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, StartsWith("error: cannot reach http://127.0.0.1:1: "));
}

TEST_F(CliTest, BadEndpointIsAUsageError) {
  for (const char* endpoint : {"ftp://127.0.0.1:8866", "127.0.0.1:8866",
                               "http://127.0.0.1:8866/v2", "https://127.0.0.1:99999"}) {
    CommandResult r = RunCommand(
        {"clock", "show", "--endpoint", endpoint, "--access-key", "a", "--secret-key", "b"},
        kNoCliEnv);
    EXPECT_EQ(r.exit_code, 2) << endpoint << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("expected http://HOST[:PORT] or https://HOST[:PORT]"))
        << endpoint;
  }
}

TEST_F(CliTest, CommandLineMistakesAreRefusedBeforeAnyRequest) {
  const std::vector<std::vector<std::string>> mistakes = {
      {"unit", "purchase", "svc-a", "--replicas", "1"},                             // no payment
      {"unit", "purchase", "svc-a", "--replicas", "1", "--postpaid", "--prepaid"},  // both
      {"unit", "purchase", "svc-a", "--replicas", "1", "--prepaid"},                // no --months
      {"unit", "purchase", "svc-a", "--replicas", "1", "--postpaid", "--months", "1"},
      {"unit", "auto-release", "unit-x"},  // neither --at nor --clear
      {"unit", "list", "svc-a", "--payment", "Monthly"},
      {"clock", "advance"},
      {"account", "create"},  // no --name
      {"account"},
  };
  for (const auto& args : mistakes) {
    CommandResult r = Cli(args);
    std::string command;
    for (const auto& a : args) command += a + " ";
    EXPECT_NE(r.exit_code, 0) << command << ": " << r.output;
    EXPECT_THAT(r.output, Not(HasSubstr("error: "))) << "reached the server: " << r.output;
  }
  // Nothing was bought.
  EXPECT_TRUE(CliJson({"unit", "list", "svc-a"}, kTenantAdmin).at("instances").as_array().empty());
}

class CliVirtualClockTest : public CliTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1s"};
  }
};

TEST_F(CliVirtualClockTest, ClockShowsAndAdvances) {
  json::value clock = CliJson({"clock", "show"});
  EXPECT_EQ(clock.at("mode"), "virtual");
  auto start = ParseRfc3339(std::string(clock.at("now").as_string()));
  ASSERT_TRUE(start);

  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);
  EXPECT_EQ(DescribeUnit(id, kTenantAdmin).at("status"), "Creating");
  json::value advanced = CliJson({"clock", "advance", "--seconds", "3600"});
  EXPECT_EQ(Str(advanced.at("now")), FormatUtc(*start + 3600));
  EXPECT_EQ(DescribeUnit(id, kTenantAdmin).at("status"), "Running");

  std::string to = FormatUtc(*start + 7200);
  EXPECT_THAT(CliOk({"clock", "advance", "--to", to}), HasSubstr("Clock is now " + to + "."));
  EXPECT_EQ(FieldOf(CliOk({"clock", "show"}), "Now"), to);
  ExpectApiError({"clock", "advance", "--to", FormatUtc(*start)}, kOperatorKey, "InvalidParameter");
}

TEST_F(CliVirtualClockTest, AccountListShowsLiveUnitsAndUsageCostsEachUnit) {
  auto start = ParseRfc3339(std::string(CliJson({"clock", "show"}).at("now").as_string()));
  ASSERT_TRUE(start);
  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);  // 2 units × 500 fen/h
  CliOk({"clock", "advance", "--seconds", "1"});
  CliOk({"clock", "advance", "--seconds", "3600"});

  std::string out = CliOk({"account", "list"});
  EXPECT_TRUE(HasRow(out, {"ACCOUNT", "NAME", "BALANCE", "\\(FEN\\)", "IN", "ARREARS", "LIVE",
                           "UNITS"}))
      << out;
  EXPECT_TRUE(HasRow(out, {"acct-a", "tenant-a", "\\d+", "no", "1"})) << out;
  json::value page = CliJson({"account", "list", "--max-keys", "1"});
  EXPECT_EQ(page.at("accounts").as_array().size(), 1u);
  ASSERT_TRUE(page.as_object().contains("nextMarker"));
  json::value next =
      CliJson({"account", "list", "--max-keys", "1", "--marker", Str(page.at("nextMarker"))});
  EXPECT_EQ(next.at("accounts").at(0).at("accountId"), "acct-b");

  out = CliOk({"account", "usage", "acct-a", "--from", FormatUtc(*start), "--to",
               FormatUtc(*start + 1 + 3600)});
  EXPECT_TRUE(HasRow(out, {id, "gpu-1", "1000"})) << out;
  EXPECT_THAT(out, HasSubstr("Total: 1000 fen"));
  ExpectApiError({"account", "usage", "acct-a", "--from", "later", "--to", "sooner"},
                 kOperatorKey, "InvalidParameter");
}

// The tenant's `svc` commands, next to the operator's `service` commands, which keep working.
TEST_F(CliVirtualClockTest, TenantServiceCommandsCreateListDescribeScaleAndDeactivate) {
  std::string unit = BuyPostpaid("svc-a", 3, kTenantAdmin);  // 6 units
  CliOk({"clock", "advance", "--seconds", "2"});             // provisioned, then deployed
  EXPECT_THAT(CliOk({"svc", "scale", "svc-a", unit, "1"}, kTenantAdmin),
              HasSubstr("Scaling svc-a on " + unit + " to 1 replica(s)."));
  std::string described = CliOk({"svc", "describe", "svc-a"}, kTenantAdmin);
  EXPECT_EQ(FieldOf(described, "Run status"), "Serving");
  EXPECT_TRUE(HasRow(described, {unit, "1", "6", "ScalingIn"})) << described;
  CliOk({"clock", "advance", "--seconds", "1"});

  json::value created = CliJson(
      {"svc", "create", "--name", "cli-chat", "--unit", unit + ":2", "--units-per-replica", "2"},
      kTenantAdmin);
  std::string id = Str(created.at("serviceId"));
  ASSERT_THAT(id, StartsWith("svco-"));
  std::string listed = CliOk({"svc", "list", "--status", "Deploying"}, kTenantAdmin);
  EXPECT_TRUE(HasRow(listed, {id, "cli-chat", "Deploying", "GPU-1-2", "2", "Postpay", "\\S+"}))
      << listed;
  EXPECT_FALSE(HasRow(listed, {"svc-a", "chat-a"})) << listed;
  json::value page = CliJson({"svc", "list", "--max-keys", "1"}, kTenantAdmin);
  EXPECT_EQ(page.at("isTruncated"), true);
  json::value next = CliJson({"svc", "list", "--marker", Str(page.at("nextMarker"))}, kTenantAdmin);
  EXPECT_EQ(next.at("services").as_array().at(0).at("serviceId"), id.c_str());
  EXPECT_EQ(CliJson({"svc", "list", "--reverse"}, kTenantAdmin)
                .at("services")
                .as_array()
                .at(0)
                .at("serviceId"),
            id.c_str());
  // The unit is full now: one more replica of svc-a does not fit.
  ExpectApiError({"svc", "scale", "svc-a", unit, "2"}, kTenantAdmin, "OperationNotAllowed");
  EXPECT_THAT(CliOk({"svc", "deactivate", id}, kTenantAdmin),
              HasSubstr("not released and keep billing"));
  CliOk({"clock", "advance", "--seconds", "1"});
  EXPECT_EQ(FieldOf(CliOk({"svc", "describe", id}, kTenantAdmin), "Run status"), "Stopped");
  EXPECT_EQ(DescribeUnit(unit, kTenantAdmin).at("usedComputeUnits"), 2);
  // The operator's commands still list the account's services.
  std::string operator_list = CliOk({"service", "list", "acct-a"});
  EXPECT_THAT(operator_list, HasSubstr(id));
  EXPECT_THAT(operator_list, HasSubstr("Stopped"));
  // Bad command lines never reach the server.
  EXPECT_NE(Cli({"svc", "create", "--name", "x", "--unit", "no-colon"}, kTenantAdmin).exit_code, 0);
  EXPECT_NE(Cli({"svc", "list", "--status", "Running"}, kTenantAdmin).exit_code, 0);
  ExpectApiError({"svc", "describe", "svc-b"}, kTenantAdmin, "ResourceNotFound");
}

}  // namespace
}  // namespace cuplane::testing
