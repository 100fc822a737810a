// bce-auth-v1: the one signer of cuplane. The server's verifier, the CLI's client and the tests
// all sign through here, so a canonicalisation rule lives in exactly one place (SPEC §2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cuplane::auth {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // name, value as sent
using QueryList = std::vector<std::pair<std::string, std::string>>;   // decoded key, value

// What a signature covers. `path` is the request path as sent (it may be percent-encoded);
// `query` holds the decoded parameters; header names may be in any case.
struct SignableRequest {
  std::string method;
  std::string path;
  QueryList query;
  HeaderList headers;
};

// Keeps A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash); every other byte becomes %XX.
std::string UriEncode(std::string_view text, bool keep_slash);

// The path percent-decoded, then UriEncoded with '/' kept.
std::string CanonicalUri(std::string_view path);

// enc(k)=enc(v) for every parameter except `authorization` (any case), sorted, joined by '&'.
std::string CanonicalQuery(const QueryList& query);

// The names the canonical headers cover when the Authorization lists none: host,
// content-length, content-type, content-md5 and every x-bce-* header present (lower-case).
std::vector<std::string> DefaultSignedHeaders(const HeaderList& headers);

// enc(lower(trim(name))):enc(trim(value)) for each present header named in `signed_headers`
// (names case-insensitive, any order), sorted, joined by '\n'.
std::string CanonicalHeaders(const HeaderList& headers,
                             const std::vector<std::string>& signed_headers);

// hex(HMAC-SHA256(key, data)).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

struct SigningInput {
  std::string access_key;
  std::string secret_key;
  std::string timestamp;  // "2024-01-01T00:00:00Z", used verbatim
  std::int64_t expiration_seconds = 1800;
  std::vector<std::string> signed_headers;  // empty: DefaultSignedHeaders(request.headers)
};

// The signature (64 hex chars) for `request`, with `signed_headers` as the list to cover.
std::string ComputeSignature(const SignableRequest& request, std::string_view access_key,
                             std::string_view secret_key, std::string_view timestamp,
                             std::int64_t expiration_seconds,
                             const std::vector<std::string>& signed_headers);

// A complete Authorization header value:
// bce-auth-v1/{ak}/{timestamp}/{expiration}/{h1;h2;...}/{signature}
std::string SignRequest(const SignableRequest& request, const SigningInput& input);

}  // namespace cuplane::auth
