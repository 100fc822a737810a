// Parsing the Authorization header of bce-auth-v1 (SPEC §2). Hostile input: bounded, strict.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/time_util.h"

namespace cuplane::auth {

struct BceAuthorization {
  std::string access_key;
  std::string timestamp;           // verbatim, part of the signing key
  UnixSeconds timestamp_unix = 0;  // parsed
  std::string expiration;          // verbatim digits, part of the signing key
  std::int64_t expiration_seconds = 0;
  std::vector<std::string> signed_headers;  // lower-case, in the order given; may be empty
  std::string signature;                    // 64 lower-case hex chars
};

// InvalidHTTPAuthHeader (message says which part) when malformed.
Result<BceAuthorization> ParseAuthorization(std::string_view header);

}  // namespace cuplane::auth
