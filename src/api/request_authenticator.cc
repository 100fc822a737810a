#include "api/request_authenticator.h"

#include <algorithm>

#include "auth/authorization_header.h"
#include "auth/signature_verifier.h"

namespace cuplane::api {
namespace {

struct KeyAndPolicies {
  core::AccessKey key;
  std::vector<core::Policy> policies;
};

bool Has(const core::Principal& p, core::Policy policy) {
  return std::find(p.policies.begin(), p.policies.end(), policy) != p.policies.end();
}

}  // namespace

Result<core::Principal> Authenticate(const ServerContext& server,
                                     const auth::SignableRequest& request,
                                     const std::string* authorization, UnixSeconds now) {
  if (!authorization || authorization->empty()) {
    return MakeError(ErrorCode::kAccessDenied, "the request carries no Authorization header");
  }
  CUPLANE_ASSIGN_OR_RETURN(auth::BceAuthorization parsed, auth::ParseAuthorization(*authorization));
  CUPLANE_TRY(auth::CheckValidityWindow(parsed, now, server.verify));
  auto found =
      server.store.Read<KeyAndPolicies>([&](store::Transaction& tx) -> Result<KeyAndPolicies> {
        auto key = tx.GetAccessKey(parsed.access_key);
        if (!key || !key->enabled) {
          return MakeError(ErrorCode::kInvalidAccessKeyId,
                           "the access key does not exist or is disabled");
        }
        KeyAndPolicies out{*key, {}};
        if (!key->is_operator) out.policies = tx.ListPolicies(key->account_id, key->user_name);
        return out;
      });
  if (!found.ok()) return found.error();
  CUPLANE_ASSIGN_OR_RETURN(std::string secret, server.secrets.Open(found->key.secret_key));
  CUPLANE_TRY(auth::VerifySignature(request, parsed, secret));
  core::Principal principal;
  principal.is_operator = found->key.is_operator;
  principal.access_key = found->key.access_key;
  principal.account_id = found->key.account_id;
  principal.user_name = found->key.user_name;
  principal.policies = std::move(found->policies);
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
