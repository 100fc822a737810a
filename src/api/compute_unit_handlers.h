// The compute-unit actions of SPEC §4 (and the operator's view of every unit, §6 DescribeUnits):
// decode the body, call one core operation in one transaction, encode the result.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandlePurchaseComputeUnit(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeComputeUnits(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleAutoReleaseComputeUnit(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeComputeUnit(CallContext& call, const JsonFields& body);
// /v2/serviceresources DescribeComputeUnit: one unit of a service (serviceId + instanceId).
Result<boost::json::value> HandleDescribeServiceUnit(CallContext& call, const JsonFields& body);
// /v2/computeunit PurchaseComputeUnit: units not tied to a service (SPEC §4.5).
Result<boost::json::value> HandlePurchaseUnits(CallContext& call, const JsonFields& body);
// /v2/computeunit DescribeComputeUnits: every unit of the account, filtered, optionally paged.
Result<boost::json::value> HandleDescribeAccountUnits(CallContext& call, const JsonFields& body);
// ReleaseComputeUnit, unit form (instanceId) and service form (serviceId + instanceId).
Result<boost::json::value> HandleReleaseUnit(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleReleaseServiceUnit(CallContext& call, const JsonFields& body);
// ResizeComputeUnit (SPEC §4.7): instanceId, count (the size after), clientToken?.
Result<boost::json::value> HandleResizeComputeUnit(CallContext& call, const JsonFields& body);
// CreateAutoRenewRules / DeleteAutoRenewRules (SPEC §4.9).
Result<boost::json::value> HandleCreateAutoRenewRules(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDeleteAutoRenewRules(CallContext& call, const JsonFields& body);
// Operator: units of every account (or one), filtered, paged.
Result<boost::json::value> HandleDescribeUnits(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
