#include "api/policy_fields.h"

namespace cuplane::api {

Result<std::vector<core::Policy>> DecodePolicies(const JsonFields& fields) {
  CUPLANE_ASSIGN_OR_RETURN(auto names, fields.OptionalStringArray("policies", 16, 64));
  std::vector<core::Policy> policies;
  for (size_t i = 0; i < names.size(); ++i) {
    auto policy = core::ParsePolicy(names[i]);
    if (!policy) {
      return MakeError(
          ErrorCode::kInvalidParameter,
          fields.Name("policies") + "[" + std::to_string(i) + "] is not a known policy");
    }
    policies.push_back(*policy);
  }
  return policies;
}

}  // namespace cuplane::api
