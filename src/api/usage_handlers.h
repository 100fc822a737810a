// Operator DescribeUsage (SPEC §6): Postpaid cost per unit over a time range.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleDescribeUsage(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
