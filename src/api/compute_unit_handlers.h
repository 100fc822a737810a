// The tenant actions of SPEC §4: decode the body, call one core operation in one transaction,
// encode the result.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandlePurchaseComputeUnit(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeComputeUnits(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleAutoReleaseComputeUnit(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeComputeUnit(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
