#include "api/router.h"

#include <array>

#include "api/capacity_handlers.h"
#include "api/compute_unit_handlers.h"
#include "api/fault_handlers.h"
#include "api/operator_handlers.h"
#include "api/state_handlers.h"
#include "api/tenant_admin_handlers.h"
#include "api/usage_handlers.h"

namespace cuplane::api {
namespace {

constexpr std::string_view kServiceResources = "/v2/serviceresources";
constexpr std::string_view kComputeUnit = "/v2/computeunit";
constexpr std::string_view kCharge = "/v2/charge";  // legacy; the Python SDK sends all here
constexpr std::string_view kOperator = "/v1/operator";

const std::array kRoutes{
    Route{kServiceResources, "PurchaseComputeUnit", Access::kWrite, HandlePurchaseComputeUnit},
    Route{kServiceResources, "DescribeComputeUnits", Access::kRead, HandleDescribeComputeUnits},
    Route{kComputeUnit, "AutoReleaseComputeUnit", Access::kWrite, HandleAutoReleaseComputeUnit},
    Route{kComputeUnit, "DescribeComputeUnit", Access::kRead, HandleDescribeComputeUnit},
    Route{kCharge, "PurchaseServiceResource", Access::kWrite, HandlePurchaseComputeUnit},
    Route{kCharge, "DescribeServiceResources", Access::kRead, HandleDescribeComputeUnits},
    Route{kCharge, "PurchaseComputeUnit", Access::kWrite, HandlePurchaseComputeUnit},
    Route{kCharge, "DescribeComputeUnits", Access::kRead, HandleDescribeComputeUnits},
    Route{kCharge, "DescribeComputeUnit", Access::kRead, HandleDescribeComputeUnit},
    Route{kCharge, "AutoReleaseComputeUnit", Access::kWrite, HandleAutoReleaseComputeUnit},
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
    Route{kOperator, "CreateService", Access::kOperator, HandleCreateService},
    Route{kOperator, "DescribeServices", Access::kOperator, HandleDescribeServices},
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

// A trailing slash names the same API ("/v2/computeunit/").
std::string_view Normalize(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

bool IsKnownPath(std::string_view path) {
  path = Normalize(path);
  for (const Route& r : kRoutes) {
    if (r.path == path) return true;
  }
  return false;
}

const Route* FindRoute(std::string_view path, std::string_view action) {
  path = Normalize(path);
  for (const Route& r : kRoutes) {
    if (r.path == path && r.action == action) return &r;
  }
  return nullptr;
}

}  // namespace cuplane::api
