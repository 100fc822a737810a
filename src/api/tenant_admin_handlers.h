// Operator actions that manage a tenant's people and services (SPEC §6): users, policies,
// access keys, services.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleCreateUser(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleCreateAccessKey(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDisableAccessKey(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleAttachPolicy(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDetachPolicy(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleOperatorCreateService(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleOperatorDescribeServices(CallContext& call,
                                                          const JsonFields& body);

}  // namespace cuplane::api
