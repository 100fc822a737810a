// The tenant's /v2/service actions (SPEC §4.11): decode the body, call one core operation of
// core/services.h in one transaction, encode the result.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleCreateService(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeService(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeServices(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleScaleService(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDeactivateService(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
