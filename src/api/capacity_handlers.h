// Operator actions on capacity and prices (SPEC §6).
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleSetInventory(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeInventory(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleSetPrice(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribePrices(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
