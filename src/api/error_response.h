// The one place where an Error becomes HTTP (SPEC §1, §8).
#pragma once

#include <string>

#include "api/api_types.h"
#include "common/error.h"

namespace cuplane::api {

int HttpStatusFor(ErrorCode code);

// {"requestId", "code", "message"} with the status of the table, plus x-bce-request-id,
// X-Bce-Error-Code and X-Bce-Error-Message (the Go SDK reads errors from those headers).
ApiResponse MakeErrorResponse(const Error& error, const std::string& request_id);

}  // namespace cuplane::api
