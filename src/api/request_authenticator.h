// Who sent this request: verifies bce-auth-v1 against the access key's secret (SPEC §2).
#pragma once

#include "api/router.h"
#include "api/server_context.h"
#include "auth/bce_signer.h"
#include "auth/key_cache.h"
#include "common/error.h"
#include "core/model.h"

namespace cuplane::api {

// AccessDenied (no header), InvalidHTTPAuthHeader, RequestExpired, InvalidAccessKeyId
// (unknown or disabled) or SignatureDoesNotMatch; otherwise the caller with its policies, as
// current as `keys` guarantees (a change counts on the next request; see auth/key_cache.h).
Result<core::Principal> Authenticate(const ServerContext& server, auth::KeyCache& keys,
                                     const auth::SignableRequest& request,
                                     const std::string* authorization, UnixSeconds now);

// AccessDenied unless the principal may call an action needing `access`.
Status Authorize(const core::Principal& principal, Access access);

}  // namespace cuplane::api
