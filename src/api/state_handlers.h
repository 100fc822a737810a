// The whole state at once (SPEC §6), for test suites: Reset between tests, and named
// snapshots of everything (SaveSnapshot, RestoreSnapshot, DescribeSnapshots, DeleteSnapshot).
// Operator keys only.
#pragma once

#include "api/server_context.h"

namespace cuplane::api {

Result<boost::json::value> HandleReset(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleSaveSnapshot(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleRestoreSnapshot(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDescribeSnapshots(CallContext& call, const JsonFields& body);
Result<boost::json::value> HandleDeleteSnapshot(CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
