#include "api/request_authenticator.h"

#include <algorithm>

#include "auth/authorization_header.h"
#include "auth/signature_verifier.h"

namespace cuplane::api {
namespace {

bool Has(const core::Principal& p, core::Policy policy) {
  return std::find(p.policies.begin(), p.policies.end(), policy) != p.policies.end();
}

}  // namespace

Result<auth::BceAuthorization> CheckCredentials(const ServerContext& server,
                                                const std::string* authorization,
                                                UnixSeconds now) {
  if (!authorization || authorization->empty()) {
    return MakeError(ErrorCode::kAccessDenied, "the request carries no Authorization header");
  }
  CUPLANE_ASSIGN_OR_RETURN(auth::BceAuthorization parsed, auth::ParseAuthorization(*authorization));
  CUPLANE_TRY(auth::CheckValidityWindow(parsed, now, server.verify));
  return parsed;
}

Result<core::Principal> Authenticate(auth::KeyCache& keys, const auth::SignableRequest& request,
                                     const auth::BceAuthorization& credentials) {
  CUPLANE_ASSIGN_OR_RETURN(std::shared_ptr<const auth::CachedKey> found,
                           keys.Find(credentials.access_key));
  CUPLANE_TRY(auth::VerifySignature(request, credentials, found->secret));
  core::Principal principal;
  principal.is_operator = found->key.is_operator;
  principal.access_key = found->key.access_key;
  principal.account_id = found->key.account_id;
  principal.user_name = found->key.user_name;
  principal.policies = found->policies;
  return principal;
}

Status Authorize(const core::Principal& principal, Access access) {
  if (access == Access::kOperator) {
    if (principal.is_operator) return OkStatus();
    return MakeError(ErrorCode::kAccessDenied, "the operator API needs an operator key");
  }
  if (principal.is_operator) {
    return MakeError(ErrorCode::kAccessDenied, "an operator key cannot call the tenant API");
  }
  bool allowed = Has(principal, core::Policy::kFullControl) ||
                 Has(principal, core::Policy::kServiceOperate) ||
                 (access == Access::kRead && Has(principal, core::Policy::kServiceRead));
  if (allowed) return OkStatus();
  return MakeError(ErrorCode::kAccessDenied, "the user's policies do not allow this action");
}

}  // namespace cuplane::api
