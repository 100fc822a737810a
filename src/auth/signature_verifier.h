// Verifying a bce-auth-v1 request against the secret of its access key, with the quirks of the
// real SDKs (SPEC §2): unsorted signedHeaders, host signed without port, a validity window with
// clock skew, and a constant-time comparison.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth/authorization_header.h"
#include "auth/bce_signer.h"
#include "common/error.h"
#include "common/time_util.h"

namespace cuplane::auth {

struct VerifyOptions {
  std::int64_t clock_skew_seconds = 300;
  std::int64_t max_expiration_seconds = 7 * 86400;
};

// RequestExpired when `now` is outside [timestamp - skew, timestamp + min(expiration, cap) + skew].
Status CheckValidityWindow(const BceAuthorization& auth, UnixSeconds now,
                           const VerifyOptions& options);

// The message of SignatureDoesNotMatch, word for word Qianfan IAM's: the Python SDK prints its
// "check your AK/SK" hint only when it sees this text.
inline constexpr std::string_view kSignatureMismatchMessage =
    "SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match";

// SignatureDoesNotMatch unless the signature matches; when it does not and the Host header
// carries a port, retries with the port stripped (Go and Java sign host without it; for
// "[::1]:8866", Go signs "::1" and Java "[::1]", so both are tried). Does not check the
// window. Never puts the secret or the signature into the error message.
Status VerifySignature(const SignableRequest& request, const BceAuthorization& auth,
                       std::string_view secret_key);

}  // namespace cuplane::auth
