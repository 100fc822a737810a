// Operator fault injection (SPEC §6): InjectFault, DescribeFaults, ClearFaults.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleInjectFault(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeFaults(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleClearFaults(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
