// The operator plane over HTTP (SPEC §6): every action, its refusals, and the security
// properties of keys (disabled at once, secrets never stored in clear).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

using OperatorApiTest = ServerTest;

TEST_F(OperatorApiTest, AnOperatorSetsUpATenantThatThenBuys) {
  auto account = OpResult("CreateAccount", {{"name", "newco"}, {"balance", 5000000}});
  std::string id(account.at("accountId").as_string());
  EXPECT_EQ(id.rfind("acct-", 0), 0u);
  EXPECT_EQ(OpResult("CreateUser", {{"accountId", id},
                                    {"name", "dev"},
                                    {"policies", {"QianfanServiceOperateAccessPolicy"}}})
                .at("name"),
            "dev");
  OpResult(
      "CreateUser",
      {{"accountId", id}, {"name", "viewer"}, {"policies", {"QianfanServiceReadAccessPolicy"}}});
  auto key = OpResult("CreateAccessKey", {{"accountId", id}, {"userName", "dev"}});
  auto viewer_key = OpResult("CreateAccessKey", {{"accountId", id}, {"userName", "viewer"}});
  auto service = OpResult("CreateService", {{"accountId", id},
                                            {"name", "chat"},
                                            {"region", "gz"},
                                            {"type", "gpu-2"},
                                            {"unitsPerReplica", 4}});
  std::string service_id(service.at("serviceId").as_string());
  EXPECT_EQ(OpResult("SetInventory", {{"region", "gz"}, {"type", "gpu-2"}, {"totalUnits", 8}}),
            true);
  EXPECT_EQ(
      OpResult("SetPrice",
               {{"type", "gpu-2"}, {"prepaidPerUnitMonth", 100000}, {"postpaidPerUnitHour", 100}}),
      true);

  auto dev = Client(std::string(key.at("accessKey").as_string()),
                    std::string(key.at("secretKey").as_string()));
  auto bought =
      CallOk(dev, "/v2/serviceresources", "PurchaseComputeUnit", PrepaidPurchase(service_id, 2, 1));
  ASSERT_EQ(bought.status, 200) << bought.body;
  auto viewer = Client(std::string(viewer_key.at("accessKey").as_string()),
                       std::string(viewer_key.at("secretKey").as_string()));
  EXPECT_EQ(ErrorCodeOf(CallOk(viewer, "/v2/serviceresources", "PurchaseComputeUnit",
                               PrepaidPurchase(service_id, 1, 1))),
            "AccessDenied");
  EXPECT_EQ(
      CallOk(viewer, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", service_id}})
          .status,
      200);

  auto statement = OpResult("DescribeAccount", {{"accountId", id}});
  EXPECT_EQ(statement.at("balance"), 5000000 - 100000 * 8);
  // Provisioning (delay 0) runs on the scheduler's next poll.
  json::array services;
  for (int i = 0; i < 100; ++i) {
    services = OpResult("DescribeServices", {{"accountId", id}}).at("services").as_array();
    if (services.size() == 1 && services[0].at("runStatus") == "Serving") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].at("runStatus"), "Serving");
  auto pools = OpResult("DescribeInventory").at("pools").as_array();
  bool found = false;
  for (const auto& p : pools) {
    if (p.at("region") == "gz") {
      found = true;
      EXPECT_EQ(p.at("allocatedUnits"), 8);
    }
  }
  EXPECT_TRUE(found);
  auto prices = OpResult("DescribePrices").at("prices").as_array();
  EXPECT_EQ(prices.size(), 2u);
}

TEST_F(OperatorApiTest, TopUpCreditsTheLedger) {
  auto result = OpResult("TopUpBalance", {{"accountId", "acct-poor"}, {"amount", 2500}});
  EXPECT_EQ(result.at("balance"), 3500);
  auto ledger = OpResult("DescribeAccount", {{"accountId", "acct-poor"}}).at("ledger").as_array();
  EXPECT_EQ(ledger.at(0).at("kind"), "topup");
  EXPECT_EQ(ledger.at(0).at("amount"), 2500);
  EXPECT_EQ(ErrorCodeOf(Op("TopUpBalance", {{"accountId", "acct-poor"}, {"amount", -5}})),
            "InvalidParameter");
  EXPECT_EQ(ErrorCodeOf(Op("TopUpBalance", {{"accountId", "acct-poor"}, {"amount", 0}})),
            "InvalidParameter");
  EXPECT_EQ(ErrorCodeOf(Op("TopUpBalance", {{"accountId", "nobody"}, {"amount", 1}})),
            "ResourceNotFound");
}

TEST_F(OperatorApiTest, LedgerPagesWithMarkers) {
  for (int i = 0; i < 5; ++i) OpResult("TopUpBalance", {{"accountId", "acct-b"}, {"amount", 1}});
  auto first = OpResult("DescribeAccount", {{"accountId", "acct-b"}, {"maxKeys", 4}});
  ASSERT_EQ(first.at("ledger").as_array().size(), 4u);
  ASSERT_TRUE(first.as_object().contains("nextMarker"));
  auto second =
      OpResult("DescribeAccount",
               {{"accountId", "acct-b"}, {"maxKeys", 4}, {"marker", first.at("nextMarker")}});
  ASSERT_EQ(second.at("ledger").as_array().size(), 2u);  // 1 opening balance + 5 top-ups
  EXPECT_FALSE(second.as_object().contains("nextMarker"));
  EXPECT_EQ(second.at("ledger").as_array().back().at("note"), "opening balance");
}

TEST_F(OperatorApiTest, RefusalsUseTheSpecCodes) {
  struct Case {
    std::string action;
    json::object body;
    std::string code;
  };
  std::vector<Case> cases{
      {"CreateAccount", {{"accountId", "acct-a"}, {"name", "dup"}}, "OperationNotAllowed"},
      {"CreateAccount", {{"accountId", "bad id!"}, {"name", "x"}}, "InvalidParameter"},
      {"CreateAccount", {{"name", "x"}, {"balance", -1}}, "InvalidParameter"},
      {"CreateUser", {{"accountId", "acct-a"}, {"name", "admin"}}, "OperationNotAllowed"},
      {"CreateUser",
       {{"accountId", "acct-a"}, {"name", "x"}, {"policies", {"RootPolicy"}}},
       "InvalidParameter"},
      {"CreateUser", {{"accountId", "nope"}, {"name", "x"}}, "ResourceNotFound"},
      {"CreateAccessKey", {{"accountId", "acct-a"}, {"userName", "ghost"}}, "ResourceNotFound"},
      {"DisableAccessKey", {{"accessKey", "no-such-key"}}, "ResourceNotFound"},
      {"AttachPolicy",
       {{"accountId", "acct-a"}, {"userName", "admin"}, {"policy", "Everything"}},
       "InvalidParameter"},
      {"CreateService",
       {{"accountId", "acct-a"},
        {"name", "s"},
        {"region", "mars"},
        {"type", "gpu-1"},
        {"unitsPerReplica", 1}},
       "InvalidParameter"},
      {"CreateService",
       {{"accountId", "acct-a"},
        {"name", "s"},
        {"region", "bj"},
        {"type", "tpu"},
        {"unitsPerReplica", 1}},
       "InvalidParameter"},
      {"CreateService",
       {{"accountId", "acct-a"},
        {"serviceId", "svc-b"},
        {"name", "s"},
        {"region", "bj"},
        {"type", "gpu-1"},
        {"unitsPerReplica", 1}},
       "OperationNotAllowed"},
      {"SetInventory",
       {{"region", "bj"}, {"type", "gpu-1"}, {"totalUnits", -1}},
       "InvalidParameter"},
      {"SetInventory",
       {{"region", "atlantis"}, {"type", "gpu-1"}, {"totalUnits", 1}},
       "InvalidParameter"},
      {"SetPrice",
       {{"type", "gpu-1"}, {"prepaidPerUnitMonth", -1}, {"postpaidPerUnitHour", 1}},
       "InvalidParameter"},
      {"DescribeServices", {{"accountId", "nope"}}, "ResourceNotFound"},
      {"AdvanceClock", {{"seconds", 60}}, "OperationNotAllowed"},  // system clock here
  };
  for (const Case& c : cases) {
    auto r = Op(c.action, c.body);
    EXPECT_EQ(ErrorCodeOf(r), c.code)
        << c.action << " " << json::serialize(c.body) << " -> " << r.body;
  }
}

TEST_F(OperatorApiTest, APoolCannotShrinkBelowWhatIsAllocated) {
  auto admin = Admin();
  ASSERT_EQ(
      CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-a", 3))
          .status,
      200);
  auto shrink = Op("SetInventory", {{"region", "bj"}, {"type", "gpu-1"}, {"totalUnits", 5}});
  EXPECT_EQ(shrink.status, 400);
  EXPECT_EQ(ErrorCodeOf(shrink), "OperationNotAllowed");
  EXPECT_EQ(OpResult("SetInventory", {{"region", "bj"}, {"type", "gpu-1"}, {"totalUnits", 6}}),
            true);
}

TEST_F(OperatorApiTest, DisablingAKeyOrDetachingAPolicyTakesEffectOnTheNextRequest) {
  auto ops = Client("a-ops", "a-ops-sk");
  auto describe = [&] {
    return CallOk(ops, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}});
  };
  ASSERT_EQ(describe().status, 200);
  OpResult("DetachPolicy", {{"accountId", "acct-a"},
                            {"userName", "ops"},
                            {"policy", "QianfanServiceOperateAccessPolicy"}});
  EXPECT_EQ(ErrorCodeOf(describe()), "AccessDenied");
  OpResult(
      "AttachPolicy",
      {{"accountId", "acct-a"}, {"userName", "ops"}, {"policy", "QianfanServiceReadAccessPolicy"}});
  EXPECT_EQ(describe().status, 200);
  OpResult("DisableAccessKey", {{"accessKey", "a-ops"}});
  auto refused = describe();
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCodeOf(refused), "InvalidAccessKeyId");
}

TEST_F(OperatorApiTest, TheDatabaseFileHoldsNoSecretKeyInClear) {
  if (backend_.is_postgres())
    GTEST_SKIP() << "checks the SQLite file; PostgreSQL uses the same sealing";
  CUPLANE_REQUIRE_DURABLE_STORE();
  auto key = OpResult("CreateAccessKey", {{"accountId", "acct-a"}, {"userName", "admin"}});
  std::string secret(key.at("secretKey").as_string());
  ASSERT_GE(secret.size(), 32u);
  server_->Stop();  // flush everything into the main file
  std::string everything;
  for (const char* name : {"cuplane.db", "cuplane.db-wal"}) {
    std::ifstream in(dir_.File("data") + "/" + name, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    everything += content.str();
  }
  ASSERT_FALSE(everything.empty());
  for (const std::string& s :
       {secret, std::string("a-admin-sk"), std::string("op-sk"), std::string("b-admin-sk")}) {
    EXPECT_EQ(everything.find(s), std::string::npos) << "secret found in clear: " << s;
  }
}

}  // namespace
}  // namespace cuplane::testing
