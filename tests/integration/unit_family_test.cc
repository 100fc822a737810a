// The compute-unit family beyond the seed actions, over HTTP on both stores: units not tied to
// a service (§4.5), ReleaseComputeUnit on both paths (§4.6), auto-renewal rules (§4.9) and the
// /v2/charge dispatch (§4.10), with their guards, tenancy and policies; invariants after each.
#include <gtest/gtest.h>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCU = "/v2/computeunit";
constexpr const char* kSR = "/v2/serviceresources";
constexpr const char* kCharge = "/v2/charge";

json::object UnitPurchase(int count, const char* timing = "Postpaid", const char* region = nullptr,
                          const char* type = "gpu-1") {
  json::object config{{"type", type}};
  if (region) config["region"] = region;
  json::object billing{{"paymentTiming", timing}};
  if (std::string_view(timing) == "Prepaid") {
    billing["reservation"] = {{"reservationTimeUnit", "month"}, {"reservationLength", 1}};
  }
  return {{"computeUnitCount", count}, {"computeUnitConfig", config}, {"billing", billing}};
}

class UnitFamilyTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1s"};
  }
  void SetUp() override {
    ServerTest::SetUp();
    OpResult("SetInventory", {{"region", "gz"}, {"type", "gpu-1"}, {"totalUnits", 30}});
    OpResult("SetInventory", {{"region", "sz"}, {"type", "gpu-1"}, {"totalUnits", 30}});
    OpResult("SetInventory", {{"region", "bj"}, {"type", "gpu-2"}, {"totalUnits", 30}});  // no price
  }
  void TearDown() override {
    if (server_) ExpectInvariants();
  }

  json::value Ok(std::string_view path, std::string_view action, const json::value& body,
                 const std::string& ak = "a-admin") {
    auto c = Client(ak, ak + "-sk");
    auto r = CallOk(c, path, action, body);
    EXPECT_EQ(r.status, 200) << path << " " << action << " " << r.body;
    return ResultOf(r);
  }
  std::string Code(std::string_view path, std::string_view action, const json::value& body,
                   const std::string& ak = "a-admin") {
    auto c = Client(ak, ak + "-sk");
    return ErrorCodeOf(CallOk(c, path, action, body));
  }
  json::object Unit(const std::string& id) {
    auto r = Ok(kCU, "DescribeComputeUnit", {{"instanceId", id}});
    return r.is_object() ? r.at("computeUnitInstance").as_object() : json::object();
  }
  std::string BuyUnits(const json::object& body) {
    auto r = Ok(kCU, "PurchaseComputeUnit", body);
    return r.is_object() ? std::string(r.at("instanceId").as_string()) : "";
  }
};

TEST_F(UnitFamilyTest, PoolStylePurchaseChoosesTheRegionWithTheMostFreeUnits) {
  auto bought = Ok(kCU, "PurchaseComputeUnit", UnitPurchase(4));
  ASSERT_TRUE(bought.is_object());
  EXPECT_EQ(bought.as_object().size(), 2u);
  std::string order(bought.at("orderId").as_string());
  EXPECT_EQ(order.rfind("ord-", 0), 0u);
  EXPECT_EQ(order.size(), 20u);
  std::string id(bought.at("instanceId").as_string());
  auto unit = Unit(id);
  EXPECT_EQ(unit.at("region"), "gz") << "gz and sz have 30 free, bj 20: the name decides";
  EXPECT_EQ(unit.at("totalComputeUnits"), 4);
  EXPECT_EQ(unit.at("usedComputeUnits"), 0);
  EXPECT_EQ(unit.at("status"), "Creating");
  auto detail = Ok(kCU, "DescribeComputeUnit", {{"instanceId", id}});
  EXPECT_TRUE(detail.at("serviceUsageList").as_array().empty()) << "no service on it";
  EXPECT_EQ(Unit(BuyUnits(UnitPurchase(1))).at("region"), "sz");
  EXPECT_EQ(Unit(BuyUnits(UnitPurchase(1, "Prepaid", "bj"))).at("region"), "bj");

  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(31)), "InsufficientInventory");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(21, "Postpaid", "bj")),
            "InsufficientInventory");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(1, "Postpaid", nullptr, "gpu-2")),
            "OperationNotAllowed");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(1, "Postpaid", nullptr, "gpu-9")),
            "InvalidParameter");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(1, "Postpaid", "mars")),
            "InvalidParameter");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(0)), "InvalidParameter");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", {{"computeUnitCount", 1}}), "InvalidParameter");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", UnitPurchase(1), "a-reader"), "AccessDenied");
  auto poor = UnitPurchase(1, "Prepaid");
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", poor, "p-admin"), "InsufficientBalance");
}

TEST_F(UnitFamilyTest, ClientTokensAreOneNamespaceAcrossPurchasePaths) {
  json::object body = UnitPurchase(2);
  body["clientToken"] = "one-token";
  auto first = Ok(kCU, "PurchaseComputeUnit", body);
  EXPECT_EQ(Ok(kCU, "PurchaseComputeUnit", body), first);
  EXPECT_EQ(Ok(kCharge, "PurchaseComputeUnit", body), first) << "the Python SDK's path";
  json::object for_service = PostpaidPurchase("svc-a", 1);
  for_service["clientToken"] = "one-token";
  EXPECT_EQ(Code(kSR, "PurchaseComputeUnit", for_service), "IdempotentParameterMismatch");
  body["computeUnitCount"] = 3;
  EXPECT_EQ(Code(kCU, "PurchaseComputeUnit", body), "IdempotentParameterMismatch");
}

TEST_F(UnitFamilyTest, AccountWideListFiltersAndPages) {
  std::string gz = BuyUnits(UnitPurchase(1));
  std::string bj = BuyUnits(UnitPurchase(2, "Prepaid", "bj"));
  auto svc = Ok(kSR, "PurchaseComputeUnit", PostpaidPurchase("svc-a", 1));
  std::string for_service(svc.at("instanceId").as_string());
  Ok(kSR, "PurchaseComputeUnit", PostpaidPurchase("svc-b", 1), "b-admin");  // not listed

  auto all = Ok(kCU, "DescribeComputeUnits", json::object());
  const auto& list = all.at("computeUnitInstanceList").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].at("instanceId"), for_service.c_str());
  EXPECT_EQ(list[0].at("usedComputeUnits"), 2);
  EXPECT_EQ(list[2].at("instanceId"), gz.c_str());
  EXPECT_FALSE(all.as_object().contains("isTruncated")) << "not paged unless asked";
  EXPECT_FALSE(list[0].as_object().contains("serviceUsageList"));

  auto prepaid = Ok(kCU, "DescribeComputeUnits", {{"paymentTiming", "Prepaid"}});
  ASSERT_EQ(prepaid.at("computeUnitInstanceList").as_array().size(), 1u);
  EXPECT_EQ(prepaid.at("computeUnitInstanceList").as_array()[0].at("instanceId"), bj.c_str());
  auto in_gz = Ok(kCU, "DescribeComputeUnits", {{"region", "gz"}, {"type", "gpu-1"}});
  ASSERT_EQ(in_gz.at("computeUnitInstanceList").as_array().size(), 1u);
  EXPECT_TRUE(Ok(kCU, "DescribeComputeUnits", {{"type", "cpu"}})
                  .at("computeUnitInstanceList")
                  .as_array()
                  .empty());

  auto page1 = Ok(kCU, "DescribeComputeUnits", {{"maxKeys", 2}});
  ASSERT_EQ(page1.at("computeUnitInstanceList").as_array().size(), 2u);
  EXPECT_EQ(page1.at("isTruncated"), true);
  auto page2 =
      Ok(kCU, "DescribeComputeUnits", {{"maxKeys", 2}, {"marker", page1.at("nextMarker")}});
  ASSERT_EQ(page2.at("computeUnitInstanceList").as_array().size(), 1u);
  EXPECT_EQ(page2.at("isTruncated"), false);
  EXPECT_FALSE(page2.as_object().contains("nextMarker"));
  // The Python SDK's path without a serviceId is this list; with one, the service's list.
  EXPECT_EQ(Ok(kCharge, "DescribeComputeUnits", json::object()), all);
  EXPECT_EQ(Ok(kCharge, "DescribeComputeUnits", {{"serviceId", "svc-a"}}).at("instances").as_array().size(),
            1u);

  for (const json::value& bad : {json::parse(R"({"maxKeys":0})"), json::parse(R"({"region":"x"})"),
                                 json::parse(R"({"type":"gpu-7"})"),
                                 json::parse(R"({"paymentTiming":"prepaid"})"),
                                 json::parse(R"({"marker":"12"})")}) {
    EXPECT_EQ(Code(kCU, "DescribeComputeUnits", bad), "InvalidParameter") << bad;
  }
  EXPECT_EQ(Ok(kCU, "DescribeComputeUnits", json::object(), "a-reader")
                .at("computeUnitInstanceList")
                .as_array()
                .size(),
            3u);
}

TEST_F(UnitFamilyTest, ReleaseOnBothPathsWithItsGuards) {
  auto svc = Ok(kSR, "PurchaseComputeUnit", PostpaidPurchase("svc-a", 2));
  std::string for_service(svc.at("instanceId").as_string());
  std::string creating = BuyUnits(UnitPurchase(3));
  std::string prepaid = BuyUnits(UnitPurchase(1, "Prepaid"));

  EXPECT_EQ(Ok(kCU, "ReleaseComputeUnit", {{"instanceId", creating}}), true);
  EXPECT_EQ(Unit(creating).at("status"), "Released");
  EXPECT_EQ(Ok(kCU, "ReleaseComputeUnit", {{"instanceId", creating}}), true) << "a retry";
  OpResult("AdvanceClock", {{"seconds", 1}});
  EXPECT_EQ(Unit(creating).at("status"), "Released") << "provisioning was cancelled";
  EXPECT_EQ(Code(kCU, "ReleaseComputeUnit", {{"instanceId", prepaid}}), "OperationNotAllowed");
  EXPECT_EQ(Code(kSR, "ReleaseComputeUnit", {{"serviceId", "svc-a"}, {"instanceId", prepaid}}),
            "ResourceNotFound")
      << "not bought for nor serving svc-a";
  EXPECT_EQ(Code(kSR, "ReleaseComputeUnit", {{"instanceId", for_service}}), "InvalidParameter");
  EXPECT_EQ(Code(kCU, "ReleaseComputeUnit", {{"instanceId", for_service}}, "b-admin"),
            "ResourceNotFound");
  EXPECT_EQ(Code(kCU, "ReleaseComputeUnit", {{"instanceId", for_service}}, "a-reader"),
            "AccessDenied");

  OpResult("AdvanceClock", {{"seconds", 1800}});
  EXPECT_EQ(Ok(kSR, "ReleaseComputeUnit", {{"serviceId", "svc-a"}, {"instanceId", for_service}},
               "a-ops"),
            true);
  auto gone = Unit(for_service);
  EXPECT_EQ(gone.at("status"), "Released");
  EXPECT_EQ(gone.at("usedComputeUnits"), 0);
  // 4 units × 500 fen/h × 1800 s, settled at the release.
  auto ledger = OpResult("DescribeAccount", {{"accountId", "acct-a"}}).at("ledger").as_array();
  EXPECT_EQ(ledger.at(0).at("kind"), "postpaid");
  auto list = Ok(kSR, "DescribeComputeUnits", {{"serviceId", "svc-a"}});
  EXPECT_EQ(list.at("instances").as_array().at(0).at("status"), "Deleted");
  // The legacy and Python-SDK names: a retry of the service form, and the unit form.
  EXPECT_EQ(Ok(kCharge, "ReleaseServiceResource",
               {{"serviceId", "svc-a"}, {"instanceId", for_service}}),
            true);
  EXPECT_EQ(Ok(kCharge, "ReleaseComputeUnit", {{"instanceId", for_service}}), true);
}

TEST_F(UnitFamilyTest, AutoRenewRulesAndThePythonHelpersWrongAction) {
  std::string prepaid = BuyUnits(UnitPurchase(1, "Prepaid"));
  std::string postpaid = BuyUnits(UnitPurchase(1));
  OpResult("AdvanceClock", {{"seconds", 1}});
  EXPECT_EQ(Ok(kCharge, "CreateAutoRenewRules",
               {{"instanceId", prepaid},
                {"instanceType", "ComputingUnit"},
                {"autoRenewTimeUnit", "month"},
                {"autoRenewTime", 2}}),
            true);
  EXPECT_EQ(Unit(prepaid).at("autoRenew"), json::parse(R"({"renewTime":2,"renewTimeUnit":"MONTH"})"));
  EXPECT_EQ(Code(kCharge, "CreateAutoRenewRules",
                 {{"instanceId", prepaid}, {"instanceType", "TPM"}}),
            "OperationNotAllowed");
  EXPECT_EQ(Code(kCharge, "CreateAutoRenewRules",
                 {{"instanceId", prepaid}, {"instanceType", "Disk"}}),
            "InvalidParameter");
  EXPECT_EQ(Code(kCharge, "CreateAutoRenewRules", {{"instanceId", prepaid}, {"autoRenewTime", 7}}),
            "InvalidParameter");
  EXPECT_EQ(Code(kCharge, "CreateAutoRenewRules", {{"instanceId", postpaid}}),
            "OperationNotAllowed");
  EXPECT_EQ(Code(kCharge, "CreateAutoRenewRules", {{"instanceId", prepaid}}, "b-admin"),
            "ResourceNotFound");

  // The Python SDK's auto-renew helper posts AutoReleaseComputeUnit with the renewal fields:
  // it sets the rule, and never clears the Postpaid unit's release schedule.
  Ok(kCU, "AutoReleaseComputeUnit", {{"instanceId", postpaid}, {"releaseTime", "2099-01-01T00:00:00Z"}});
  EXPECT_EQ(Ok(kCharge, "AutoReleaseComputeUnit",
               {{"instanceId", prepaid},
                {"instanceType", "ComputingUnit"},
                {"autoRenewTimeUnit", "Month"},
                {"autoRenewTime", 1}}),
            true);
  EXPECT_EQ(Unit(prepaid).at("autoRenew").at("renewTime"), 1);
  EXPECT_EQ(Code(kCharge, "AutoReleaseComputeUnit",
                 {{"instanceId", postpaid}, {"instanceType", "ComputingUnit"}}),
            "OperationNotAllowed");
  EXPECT_EQ(Unit(postpaid).at("releaseTime"), "2099-01-01T00:00:00Z");

  // Expiry honours the rule: renewed once (1 month), then released after the rule is deleted.
  OpResult("AdvanceClock", {{"seconds", 32 * 86400}});
  EXPECT_EQ(Unit(prepaid).at("status"), "Running");
  EXPECT_EQ(Ok(kCharge, "DeleteAutoRenewRules", {{"instanceId", prepaid}}), true);
  EXPECT_FALSE(Unit(prepaid).contains("autoRenew"));
  OpResult("AdvanceClock", {{"seconds", 32 * 86400}});
  EXPECT_EQ(Unit(prepaid).at("status"), "Released");
  auto ledger = OpResult("DescribeAccount", {{"accountId", "acct-a"}, {"maxKeys", 1000}}).at("ledger");
  int renewals = 0;
  for (const auto& e : ledger.as_array()) renewals += e.at("kind") == "renewal";
  EXPECT_EQ(renewals, 1);
  EXPECT_EQ(Code(kCharge, "DeleteAutoRenewRules", {{"instanceId", prepaid}}),
            "OperationNotAllowed");
}

}  // namespace
}  // namespace cuplane::testing
