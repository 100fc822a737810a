// The operator plane (SPEC §6), POST /v1/operator?Action=..., operator keys only: the clock
// and accounts. Tenant administration and capacity are in their own files.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleAdvanceClock(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeClock(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleCreateAccount(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeAccount(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeAccounts(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleTopUpBalance(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
