// Who sent this request: verifies bce-auth-v1 against the access key's secret (SPEC §2).
#pragma once

#include "api/router.h"
#include "api/server_context.h"
#include "auth/authorization_header.h"
#include "auth/bce_signer.h"
#include "auth/key_cache.h"
#include "common/error.h"
#include "core/model.h"

namespace cuplane::api {

// What can be checked without the store, before a request waits for anything: AccessDenied
// (no header), InvalidHTTPAuthHeader or RequestExpired (`now` is the wall clock).
Result<auth::BceAuthorization> CheckCredentials(const ServerContext& server,
                                                const std::string* authorization,
                                                UnixSeconds now);

// Then InvalidAccessKeyId (unknown or disabled) or SignatureDoesNotMatch; otherwise the caller
// with its policies, as current as `keys` guarantees (a change counts on the next request; see
// auth/key_cache.h). May wait for the store.
Result<core::Principal> Authenticate(auth::KeyCache& keys, const auth::SignableRequest& request,
                                     const auth::BceAuthorization& credentials);

// AccessDenied unless the principal may call an action needing `access`.
Status Authorize(const core::Principal& principal, Access access);

}  // namespace cuplane::api
