// Injected faults, orders and the operator's view of units over HTTP (SPEC §4.1, §5.4, §6), on
// the virtual clock so that each delayed step runs exactly when the test says; invariants are
// checked after every scenario.
#include <gtest/gtest.h>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

class FaultAndOrderTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1s"};
  }
  void TearDown() override {
    if (server_) ExpectInvariants();
  }

  std::string Buy(const json::object& body) {
    auto admin = Admin();
    auto r = CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", body);
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? std::string(result.at("instanceId").as_string()) : "";
  }
  json::object Unit(const std::string& id) {
    auto admin = Admin();
    auto r = CallOk(admin, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? result.at("computeUnitInstance").as_object() : json::object();
  }
  json::array Ledger(const std::string& account) {
    return OpResult("DescribeAccount", {{"accountId", account}, {"maxKeys", 1000}})
        .at("ledger")
        .as_array();
  }
};

TEST_F(FaultAndOrderTest, AProvisioningFaultMakesTheAcceptedPurchaseCreateFailedWithAFullRefund) {
  EXPECT_EQ(OpResult("InjectFault", {{"operation", "provision"}, {"count", 1}, {"region", "bj"}}), true);
  auto faults = OpResult("DescribeFaults").at("faults").as_array();
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0], json::parse(R"({"operation":"provision","remaining":1,"region":"bj"})"));

  std::int64_t before = OpResult("DescribeAccount", {{"accountId", "acct-a"}}).at("balance").as_int64();
  std::string failing = Buy(PrepaidPurchase("svc-a", 1, 2));
  EXPECT_EQ(Unit(failing).at("status"), "Creating");
  EXPECT_TRUE(OpResult("DescribeFaults").at("faults").as_array().empty()) << "used once, at acceptance";
  std::string fine = Buy(PrepaidPurchase("svc-a", 1, 1));

  OpResult("AdvanceClock", {{"seconds", 1}});
  EXPECT_EQ(Unit(failing).at("status"), "CreateFailed");
  EXPECT_EQ(Unit(failing).at("startTime"), "");
  EXPECT_EQ(Unit(fine).at("status"), "Running");
  auto admin = Admin();
  auto list = ResultOf(
      CallOk(admin, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}}));
  EXPECT_EQ(list.at("instances").as_array().at(1).at("status"), "Deleted");

  // 300000 fen × 2 units × 2 months charged and refunded under one order; the good unit paid.
  json::array ledger = Ledger("acct-a");
  std::string charge_order, refund_order;
  for (const auto& e : ledger) {
    const json::value* instance = e.as_object().if_contains("instanceId");
    if (!instance || *instance != failing.c_str()) continue;
    if (e.at("kind") == "prepaid") {
      EXPECT_EQ(e.at("amount"), -1200000);
      charge_order = std::string(e.at("orderId").as_string());
    }
    if (e.at("kind") == "refund") {
      EXPECT_EQ(e.at("amount"), 1200000);
      refund_order = std::string(e.at("orderId").as_string());
    }
  }
  EXPECT_EQ(charge_order.size(), 20u);
  EXPECT_EQ(charge_order, refund_order);
  EXPECT_EQ(OpResult("DescribeAccount", {{"accountId", "acct-a"}}).at("balance").as_int64(),
            before - 600000);
}

TEST_F(FaultAndOrderTest, FaultsArePoolScopedCountedAndCleared) {
  OpResult("InjectFault", {{"operation", "provision"}, {"count", 2}, {"type", "gpu-2"}});
  OpResult("InjectFault", {{"operation", "reconfigure"}, {"count", 1}});
  OpResult("InjectFault", {{"operation", "deploy"}, {"count", 3}, {"region", "gz"}, {"type", "cpu"}});
  OpResult("InjectFault", {{"operation", "deactivate"}, {"count", 1}});
  EXPECT_EQ(OpResult("DescribeFaults").at("faults").as_array().size(), 4u);
  // A gpu-2 fault does not touch a bj/gpu-1 purchase.
  std::string id = Buy(PostpaidPurchase("svc-a", 1));
  OpResult("AdvanceClock", {{"seconds", 1}});
  EXPECT_EQ(Unit(id).at("status"), "Running");
  EXPECT_EQ(OpResult("ClearFaults"), true);
  EXPECT_TRUE(OpResult("DescribeFaults").at("faults").as_array().empty());

  auto op = Operator();
  for (const json::value& bad :
       {json::parse(R"({"operation":"explode","count":1})"),
        json::parse(R"({"operation":"provision","count":0})"),
        json::parse(R"({"operation":"provision"})"),
        json::parse(R"({"operation":"provision","count":1,"region":"mars"})"),
        json::parse(R"({"operation":"provision","count":1,"type":"gpu-9"})")}) {
    auto r = CallOk(op, "/v1/operator", "InjectFault", bad);
    EXPECT_EQ(ErrorCodeOf(r), "InvalidParameter") << bad;
  }
  auto tenant = Admin();
  EXPECT_EQ(ErrorCodeOf(CallOk(tenant, "/v1/operator", "InjectFault",
                               {{"operation", "provision"}, {"count", 1}})),
            "AccessDenied");
}

TEST_F(FaultAndOrderTest, ByteIdenticalSignedPurchasesEachBuy) {
  auto admin = Admin();
  client::RawRequest request;
  request.target = "/v2/serviceresources?Action=PurchaseComputeUnit";
  request.body = json::serialize(PostpaidPurchase("svc-a", 1));
  admin.Sign(request);
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = admin.Send(request);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.error().message);
    ids.insert(std::string(ResultOf(*r).at("instanceId").as_string()));
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(OpResult("DescribeInventory").at("pools").as_array().at(0).at("allocatedUnits"), 10);
}

TEST_F(FaultAndOrderTest, ClientTokenIsRememberedForTwentyFourHoursOfTheServersClock) {
  json::object body = PostpaidPurchase("svc-a", 1);
  body["clientToken"] = "day-long";
  std::string first = Buy(body);
  OpResult("AdvanceClock", {{"seconds", 86400 - 60}});
  EXPECT_EQ(Buy(body), first);
  OpResult("AdvanceClock", {{"seconds", 120}});
  std::string after_a_day = Buy(body);
  EXPECT_NE(after_a_day, first);
  EXPECT_EQ(Buy(body), after_a_day);
  // "" means no token: two distinct purchases.
  body["clientToken"] = "";
  EXPECT_NE(Buy(body), Buy(body));
  body["clientToken"] = std::string(65, 'x');
  auto admin = Admin();
  EXPECT_EQ(ErrorCodeOf(CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", body)),
            "InvalidParameter");
}

TEST_F(FaultAndOrderTest, PostpaidPurchaseMayScheduleItsRelease) {
  json::object body = PostpaidPurchase("svc-a", 1);
  auto now = ParseRfc3339(std::string(OpResult("DescribeClock").at("now").as_string()));
  ASSERT_TRUE(now.has_value());
  body["billing"].as_object()["releaseTime"] = FormatUtc(*now + 3600);
  std::string id = Buy(body);
  EXPECT_EQ(Unit(id).at("releaseTime"), FormatUtc(*now + 3600).c_str());
  OpResult("AdvanceClock", {{"seconds", 7200}});
  EXPECT_EQ(Unit(id).at("status"), "Released");

  auto admin = Admin();
  json::object past = PostpaidPurchase("svc-a", 1);
  past["billing"].as_object()["releaseTime"] = "2001-01-01T00:00:00Z";
  auto r = CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", past);
  EXPECT_EQ(ErrorCodeOf(r), "InvalidParameter");
  EXPECT_NE(r.body.find("billing.releaseTime"), std::string::npos) << r.body;
  json::object prepaid = PrepaidPurchase("svc-a", 1, 1);
  prepaid["billing"].as_object()["releaseTime"] = "2099-01-01T00:00:00Z";
  EXPECT_EQ(ErrorCodeOf(CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", prepaid)),
            "InvalidParameter");
}

TEST_F(FaultAndOrderTest, OperatorDescribeUnitsFiltersAndPagesAcrossAccounts) {
  std::string a1 = Buy(PostpaidPurchase("svc-a", 1));
  auto b = Client("b-admin", "b-admin-sk");
  auto bought = CallOk(b, "/v2/serviceresources", "PurchaseComputeUnit", PrepaidPurchase("svc-b", 3, 1));
  ASSERT_EQ(bought.status, 200) << bought.body;
  std::string b1(ResultOf(bought).at("instanceId").as_string());
  std::string a2 = Buy(PostpaidPurchase("svc-a", 2));

  auto all = OpResult("DescribeUnits");
  ASSERT_EQ(all.at("units").as_array().size(), 3u);
  EXPECT_EQ(all.at("isTruncated"), false);
  EXPECT_FALSE(all.as_object().contains("nextMarker"));
  const auto& newest = all.at("units").as_array()[0].as_object();
  EXPECT_EQ(newest.at("instanceId"), a2.c_str());
  EXPECT_EQ(newest.at("accountId"), "acct-a");
  EXPECT_EQ(newest.at("totalComputeUnits"), 4);
  EXPECT_EQ(newest.at("usedComputeUnits"), 4);
  EXPECT_EQ(newest.at("status"), "Creating");
  EXPECT_EQ(all.at("units").as_array()[1].at("accountId"), "acct-b");
  EXPECT_EQ(all.at("units").as_array()[1].at("reservationTimeUnit"), "MONTH");

  auto page1 = OpResult("DescribeUnits", {{"maxKeys", 2}});
  ASSERT_EQ(page1.at("units").as_array().size(), 2u);
  EXPECT_EQ(page1.at("isTruncated"), true);
  auto page2 = OpResult("DescribeUnits", {{"maxKeys", 2}, {"marker", page1.at("nextMarker")}});
  ASSERT_EQ(page2.at("units").as_array().size(), 1u);
  EXPECT_EQ(page2.at("units").as_array()[0].at("instanceId"), a1.c_str());
  EXPECT_EQ(page2.at("isTruncated"), false);

  EXPECT_EQ(OpResult("DescribeUnits", {{"accountId", "acct-b"}}).at("units").as_array().size(), 1u);
  EXPECT_EQ(OpResult("DescribeUnits", {{"region", "gz"}}).at("units").as_array().size(), 0u);
  EXPECT_EQ(OpResult("DescribeUnits", {{"type", "gpu-1"}}).at("units").as_array().size(), 3u);
  OpResult("AdvanceClock", {{"seconds", 1}});
  EXPECT_EQ(OpResult("DescribeUnits", {{"status", "Running"}}).at("units").as_array().size(), 3u);
  EXPECT_EQ(OpResult("DescribeUnits", {{"status", "Creating"}}).at("units").as_array().size(), 0u);

  auto op = Operator();
  for (const json::value& bad : {json::parse(R"({"maxKeys":0})"), json::parse(R"({"maxKeys":1001})"),
                                 json::parse(R"({"status":"Sleeping"})"),
                                 json::parse(R"({"region":"mars"})"),
                                 json::parse(R"({"marker":"not-a-marker"})")}) {
    EXPECT_EQ(ErrorCodeOf(CallOk(op, "/v1/operator", "DescribeUnits", bad)), "InvalidParameter")
        << bad;
  }
}

}  // namespace
}  // namespace cuplane::testing
