// The `policies` field shared by CreateUser and the bootstrap file.
#pragma once

#include <vector>

#include "api/json_fields.h"
#include "core/model.h"

namespace cuplane::api {

// An optional array of policy names; InvalidParameter names the offending element.
Result<std::vector<core::Policy>> DecodePolicies(const JsonFields& fields);

}  // namespace cuplane::api
