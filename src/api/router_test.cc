#include "api/router.h"

#include <gtest/gtest.h>

#include "api/compute_unit_handlers.h"

namespace cuplane::api {
namespace {

namespace json = boost::json;

// The handler /v2/charge picks for `action` with `body` (SPEC §4.10).
Handler ChargeHandler(std::string_view action, std::string_view body) {
  const Route* route = FindRoute("/v2/charge", action);
  EXPECT_NE(route, nullptr) << action;
  if (!route) return nullptr;
  json::object object = json::parse(body).as_object();
  return HandlerFor(*route, JsonFields(object, ""));
}

TEST(ChargeDispatchTest, PurchaseWithAServiceIdIsForTheServiceWithoutItPoolStyle) {
  EXPECT_EQ(ChargeHandler("PurchaseComputeUnit", R"({"serviceId":"svco-x"})"),
            HandlePurchaseComputeUnit);
  EXPECT_EQ(ChargeHandler("PurchaseComputeUnit", R"({"computeUnitCount":1})"), HandlePurchaseUnits);
  // null and "" count as absent.
  EXPECT_EQ(ChargeHandler("PurchaseComputeUnit", R"({"serviceId":null})"), HandlePurchaseUnits);
  EXPECT_EQ(ChargeHandler("PurchaseComputeUnit", R"({"serviceId":""})"), HandlePurchaseUnits);
  EXPECT_EQ(ChargeHandler("PurchaseServiceResource", "{}"), HandlePurchaseComputeUnit);
}

TEST(ChargeDispatchTest, ListsAndReleasesFollowTheServiceIdToo) {
  EXPECT_EQ(ChargeHandler("DescribeComputeUnits", R"({"serviceId":"s"})"),
            HandleDescribeComputeUnits);
  EXPECT_EQ(ChargeHandler("DescribeComputeUnits", "{}"), HandleDescribeAccountUnits);
  EXPECT_EQ(ChargeHandler("DescribeServiceResources", "{}"), HandleDescribeComputeUnits);
  EXPECT_EQ(ChargeHandler("ReleaseComputeUnit", R"({"serviceId":"s","instanceId":"u"})"),
            HandleReleaseServiceUnit);
  EXPECT_EQ(ChargeHandler("ReleaseComputeUnit", R"({"instanceId":"u"})"), HandleReleaseUnit);
  EXPECT_EQ(ChargeHandler("ReleaseServiceResource", R"({"instanceId":"u"})"),
            HandleReleaseServiceUnit);
}

TEST(ChargeDispatchTest, DetailWithAServiceIdIsTheServiceScopedOne) {
  // What the Python SDK's get_service_resource_instance_info sends.
  EXPECT_EQ(ChargeHandler("DescribeComputeUnit", R"({"serviceId":"s","instanceId":"u"})"),
            HandleDescribeServiceUnit);
  EXPECT_EQ(ChargeHandler("DescribeComputeUnit", R"({"instanceId":"u"})"),
            HandleDescribeComputeUnit);
  EXPECT_EQ(ChargeHandler("DescribeComputeUnit", R"({"instanceId":"u","serviceId":null})"),
            HandleDescribeComputeUnit);
  EXPECT_EQ(ChargeHandler("DescribeComputeUnit", R"({"instanceId":"u","serviceId":""})"),
            HandleDescribeComputeUnit);
  // The legacy name is always the service-scoped detail (it then requires serviceId).
  EXPECT_EQ(ChargeHandler("DescribeServiceResource", R"({"instanceId":"u"})"),
            HandleDescribeServiceUnit);
  EXPECT_EQ(FindRoute("/v2/serviceresources", "DescribeComputeUnit")->handler,
            HandleDescribeServiceUnit);
  EXPECT_EQ(FindRoute("/v2/computeunit", "DescribeComputeUnit")->handler,
            HandleDescribeComputeUnit);
  for (auto action : {"DescribeComputeUnit", "DescribeServiceResource"}) {
    EXPECT_EQ(FindRoute("/v2/charge", action)->access, Access::kRead) << action;
  }
  EXPECT_EQ(FindRoute("/v2/serviceresources", "DescribeComputeUnit")->access, Access::kRead);
}

TEST(ChargeDispatchTest, ThePythonAutoRenewHelperNeverClearsAReleaseSchedule) {
  // What the Python SDK's auto-renew helper sends, under the wrong Action.
  EXPECT_EQ(ChargeHandler("AutoReleaseComputeUnit",
                          R"({"instanceId":"u","instanceType":"ComputingUnit",
                              "autoRenewTimeUnit":"month","autoRenewTime":1})"),
            HandleCreateAutoRenewRules);
  EXPECT_EQ(ChargeHandler("AutoReleaseComputeUnit",
                          R"({"instanceId":"u","instanceType":"ComputingUnit","releaseTime":null})"),
            HandleCreateAutoRenewRules);
  // A release time, or no instanceType, is the real AutoReleaseComputeUnit.
  EXPECT_EQ(ChargeHandler("AutoReleaseComputeUnit",
                          R"({"instanceId":"u","instanceType":"ComputingUnit",
                              "releaseTime":"2030-01-01T00:00:00Z"})"),
            HandleAutoReleaseComputeUnit);
  EXPECT_EQ(ChargeHandler("AutoReleaseComputeUnit", R"({"instanceId":"u"})"),
            HandleAutoReleaseComputeUnit);
  EXPECT_EQ(ChargeHandler("CreateAutoRenewRules", "{}"), HandleCreateAutoRenewRules);
  EXPECT_EQ(ChargeHandler("DeleteAutoRenewRules", "{}"), HandleDeleteAutoRenewRules);
}

TEST(RouterTest, EveryPathServesItsDocumentedActions) {
  for (auto action : {"PurchaseComputeUnit", "DescribeComputeUnits", "ReleaseComputeUnit",
                      "AutoReleaseComputeUnit"}) {
    EXPECT_NE(FindRoute("/v2/serviceresources", action), nullptr) << action;
    EXPECT_NE(FindRoute("/v2/computeunit", action), nullptr) << action;
  }
  EXPECT_EQ(FindRoute("/v2/serviceresources", "PurchaseComputeUnit")->handler,
            HandlePurchaseComputeUnit);
  EXPECT_EQ(FindRoute("/v2/computeunit", "PurchaseComputeUnit")->handler, HandlePurchaseUnits);
  EXPECT_EQ(FindRoute("/v2/computeunit", "DescribeComputeUnits")->handler,
            HandleDescribeAccountUnits);
  EXPECT_EQ(FindRoute("/v2/computeunit", "CreateAutoRenewRules"), nullptr);
  EXPECT_EQ(FindRoute("/v2/computeunit/", "ReleaseComputeUnit")->handler, HandleReleaseUnit);
  // A base URL ending in "/" makes SDKs request "//v2/...": runs of slashes count as one.
  EXPECT_EQ(FindRoute("//v2/computeunit", "ReleaseComputeUnit")->handler, HandleReleaseUnit);
  EXPECT_EQ(FindRoute("/v2//computeunit//", "ReleaseComputeUnit")->handler, HandleReleaseUnit);
  EXPECT_TRUE(IsKnownPath("//v2/charge"));
  EXPECT_FALSE(IsKnownPath("//v2/charg"));
  EXPECT_FALSE(IsKnownPath("/v2computeunit"));
  EXPECT_FALSE(IsKnownPath("//"));
  EXPECT_EQ(FindRoute("/v2/computeunit", "Explode"), nullptr);
  // Reads need only the read policy; every other compute-unit action needs write.
  EXPECT_EQ(FindRoute("/v2/charge", "DescribeComputeUnits")->access, Access::kRead);
  EXPECT_EQ(FindRoute("/v2/charge", "ReleaseComputeUnit")->access, Access::kWrite);
  EXPECT_EQ(FindRoute("/v2/charge", "CreateAutoRenewRules")->access, Access::kWrite);
}

TEST(RouterTest, ResizeIsAWriteOnTheUnitPathAndThePythonSdksPath) {
  for (auto path : {"/v2/computeunit", "/v2/charge"}) {
    const Route* route = FindRoute(path, "ResizeComputeUnit");
    ASSERT_NE(route, nullptr) << path;
    EXPECT_EQ(route->access, Access::kWrite) << path;
    EXPECT_EQ(ChargeHandler("ResizeComputeUnit", R"({"serviceId":"s"})"),
              HandleResizeComputeUnit);
  }
  EXPECT_EQ(FindRoute("/v2/computeunit", "ResizeComputeUnit")->handler, HandleResizeComputeUnit);
  EXPECT_EQ(FindRoute("/v2/serviceresources", "ResizeComputeUnit"), nullptr);
}

}  // namespace
}  // namespace cuplane::api
