#include "api/router.h"

#include <array>
#include <string>

#include "api/capacity_handlers.h"
#include "api/compute_unit_handlers.h"
#include "api/fault_handlers.h"
#include "api/operator_handlers.h"
#include "api/service_handlers.h"
#include "api/state_handlers.h"
#include "api/tenant_admin_handlers.h"
#include "api/usage_handlers.h"

namespace cuplane::api {
namespace {

constexpr std::string_view kServiceResources = "/v2/serviceresources";
constexpr std::string_view kComputeUnit = "/v2/computeunit";
constexpr std::string_view kCharge = "/v2/charge";  // legacy; the Python SDK sends all here
constexpr std::string_view kService = "/v2/service";
constexpr std::string_view kOperator = "/v1/operator";

// Whether the body carries `key` with a value: absent, null and "" are all "not given".
bool Carries(const JsonFields& body, std::string_view key) {
  const boost::json::value* v = body.object().if_contains(key);
  return v && !v->is_null() && !(v->is_string() && v->get_string().empty());
}

// SPEC §4.10: the Python SDK posts every compute-unit action to /v2/charge, so a name that
// exists on both /v2/serviceresources and /v2/computeunit is told apart by its serviceId.
Handler PickPurchase(const JsonFields& body) {
  return Carries(body, "serviceId") ? HandlePurchaseComputeUnit : HandlePurchaseUnits;
}
Handler PickList(const JsonFields& body) {
  return Carries(body, "serviceId") ? HandleDescribeComputeUnits : HandleDescribeAccountUnits;
}
Handler PickDetail(const JsonFields& body) {
  return Carries(body, "serviceId") ? HandleDescribeServiceUnit : HandleDescribeComputeUnit;
}
Handler PickRelease(const JsonFields& body) {
  return Carries(body, "serviceId") ? HandleReleaseServiceUnit : HandleReleaseUnit;
}
// The Python SDK's auto-renew helper sends AutoReleaseComputeUnit with the renewal fields:
// instanceType and no releaseTime is that helper, and must never clear a release schedule.
Handler PickAutoRelease(const JsonFields& body) {
  return Carries(body, "instanceType") && !Carries(body, "releaseTime")
             ? HandleCreateAutoRenewRules
             : HandleAutoReleaseComputeUnit;
}

const std::array kRoutes{
    Route{kServiceResources, "PurchaseComputeUnit", Access::kWrite, HandlePurchaseComputeUnit},
    Route{kServiceResources, "DescribeComputeUnits", Access::kRead, HandleDescribeComputeUnits},
    Route{kServiceResources, "DescribeComputeUnit", Access::kRead, HandleDescribeServiceUnit},
    Route{kServiceResources, "ReleaseComputeUnit", Access::kWrite, HandleReleaseServiceUnit},
    Route{kServiceResources, "AutoReleaseComputeUnit", Access::kWrite,
          HandleAutoReleaseComputeUnit},
    Route{kComputeUnit, "PurchaseComputeUnit", Access::kWrite, HandlePurchaseUnits},
    Route{kComputeUnit, "DescribeComputeUnits", Access::kRead, HandleDescribeAccountUnits},
    Route{kComputeUnit, "DescribeComputeUnit", Access::kRead, HandleDescribeComputeUnit},
    Route{kComputeUnit, "ReleaseComputeUnit", Access::kWrite, HandleReleaseUnit},
    Route{kComputeUnit, "AutoReleaseComputeUnit", Access::kWrite, HandleAutoReleaseComputeUnit},
    Route{kComputeUnit, "ResizeComputeUnit", Access::kWrite, HandleResizeComputeUnit},
    Route{kCharge, "PurchaseServiceResource", Access::kWrite, HandlePurchaseComputeUnit},
    Route{kCharge, "PurchaseComputeUnit", Access::kWrite, nullptr, PickPurchase},
    Route{kCharge, "DescribeServiceResources", Access::kRead, HandleDescribeComputeUnits},
    Route{kCharge, "DescribeComputeUnits", Access::kRead, nullptr, PickList},
    Route{kCharge, "DescribeServiceResource", Access::kRead, HandleDescribeServiceUnit},
    Route{kCharge, "DescribeComputeUnit", Access::kRead, nullptr, PickDetail},
    Route{kCharge, "ReleaseServiceResource", Access::kWrite, HandleReleaseServiceUnit},
    Route{kCharge, "ReleaseComputeUnit", Access::kWrite, nullptr, PickRelease},
    Route{kCharge, "AutoReleaseComputeUnit", Access::kWrite, nullptr, PickAutoRelease},
    Route{kCharge, "ResizeComputeUnit", Access::kWrite, HandleResizeComputeUnit},
    Route{kCharge, "CreateAutoRenewRules", Access::kWrite, HandleCreateAutoRenewRules},
    Route{kCharge, "DeleteAutoRenewRules", Access::kWrite, HandleDeleteAutoRenewRules},
    Route{kService, "CreateService", Access::kWrite, HandleCreateService},
    Route{kService, "DescribeService", Access::kRead, HandleDescribeService},
    Route{kService, "DescribeServices", Access::kRead, HandleDescribeServices},
    Route{kService, "ScaleService", Access::kWrite, HandleScaleService},
    Route{kService, "DeactivateService", Access::kWrite, HandleDeactivateService},
    Route{kOperator, "CreateAccount", Access::kOperator, HandleCreateAccount},
    Route{kOperator, "DescribeAccount", Access::kOperator, HandleDescribeAccount},
    Route{kOperator, "DescribeAccounts", Access::kOperator, HandleDescribeAccounts},
    Route{kOperator, "DescribeUsage", Access::kOperator, HandleDescribeUsage},
    Route{kOperator, "TopUpBalance", Access::kOperator, HandleTopUpBalance},
    Route{kOperator, "CreateUser", Access::kOperator, HandleCreateUser},
    Route{kOperator, "CreateAccessKey", Access::kOperator, HandleCreateAccessKey},
    Route{kOperator, "DisableAccessKey", Access::kOperator, HandleDisableAccessKey},
    Route{kOperator, "AttachPolicy", Access::kOperator, HandleAttachPolicy},
    Route{kOperator, "DetachPolicy", Access::kOperator, HandleDetachPolicy},
    Route{kOperator, "CreateService", Access::kOperator, HandleOperatorCreateService},
    Route{kOperator, "DescribeServices", Access::kOperator, HandleOperatorDescribeServices},
    Route{kOperator, "SetInventory", Access::kOperator, HandleSetInventory},
    Route{kOperator, "DescribeInventory", Access::kOperator, HandleDescribeInventory},
    Route{kOperator, "SetPrice", Access::kOperator, HandleSetPrice},
    Route{kOperator, "DescribePrices", Access::kOperator, HandleDescribePrices},
    Route{kOperator, "DescribeUnits", Access::kOperator, HandleDescribeUnits},
    Route{kOperator, "InjectFault", Access::kOperator, HandleInjectFault},
    Route{kOperator, "DescribeFaults", Access::kOperator, HandleDescribeFaults},
    Route{kOperator, "ClearFaults", Access::kOperator, HandleClearFaults},
    Route{kOperator, "AdvanceClock", Access::kOperator, HandleAdvanceClock},
    Route{kOperator, "DescribeClock", Access::kOperator, HandleDescribeClock},
    Route{kOperator, "Reset", Access::kOperator, HandleReset},
    Route{kOperator, "SaveSnapshot", Access::kOperator, HandleSaveSnapshot},
    Route{kOperator, "RestoreSnapshot", Access::kOperator, HandleRestoreSnapshot},
    Route{kOperator, "DescribeSnapshots", Access::kOperator, HandleDescribeSnapshots},
    Route{kOperator, "DeleteSnapshot", Access::kOperator, HandleDeleteSnapshot},
};

// The API a path names: a run of slashes counts as one (an SDK whose base URL ends in "/"
// requests "//v2/..."), and a trailing slash names the same API ("/v2/computeunit/").
// Routing only: the signature is still checked over the path as sent.
std::string Normalize(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

bool IsKnownPath(std::string_view raw_path) {
  const std::string path = Normalize(raw_path);
  for (const Route& r : kRoutes) {
    if (r.path == path) return true;
  }
  return false;
}

Handler HandlerFor(const Route& route, const JsonFields& body) {
  return route.pick ? route.pick(body) : route.handler;
}

const Route* FindRoute(std::string_view raw_path, std::string_view action) {
  const std::string path = Normalize(raw_path);
  for (const Route& r : kRoutes) {
    if (r.path == path && r.action == action) return &r;
  }
  return nullptr;
}

}  // namespace cuplane::api
