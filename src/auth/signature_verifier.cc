#include "auth/signature_verifier.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/ascii.h"

namespace cuplane::auth {
namespace {

// Far beyond any sane window; negative options or expirations count as zero.
constexpr std::int64_t kMaxWindowTerm = std::int64_t{1} << 40;

std::int64_t ClampTerm(std::int64_t value) {
  return std::clamp<std::int64_t>(value, 0, kMaxWindowTerm);
}

bool IsPort(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What an SDK that signs `host` without the port signed for the Host header `host`:
// "h:8866" -> {"h"}; "[::1]:8866" -> {"::1" (Go, which drops the brackets too), "[::1]" (Java)};
// none when there is no port to strip. A bare IPv6 literal has several colons and no port.
std::vector<std::string> HostsWithoutPort(std::string_view host) {
  host = TrimAsciiSpace(host);
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close + 1 >= host.size() || host[close + 1] != ':') {
      return {};
    }
    if (!IsPort(host.substr(close + 2))) return {};
    return {std::string(host.substr(1, close - 1)), std::string(host.substr(0, close + 1))};
  }
  size_t colon = host.find(':');
  if (colon == std::string_view::npos || host.find(':', colon + 1) != std::string_view::npos) {
    return {};
  }
  if (colon == 0 || !IsPort(host.substr(colon + 1))) return {};
  return {std::string(host.substr(0, colon))};
}

// Index of the first Host header, the one CanonicalHeaders signs.
std::optional<size_t> FindHost(const HeaderList& headers) {
  for (size_t i = 0; i < headers.size(); ++i) {
    if (EqualsIgnoreCase(TrimAsciiSpace(headers[i].first), "host")) return i;
  }
  return std::nullopt;
}

bool CoversHost(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), [](const std::string& name) {
    return EqualsIgnoreCase(TrimAsciiSpace(name), "host");
  });
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The lengths are public (always 64 for a parsed header); only the contents must not leak.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool Matches(const SignableRequest& request, const BceAuthorization& auth,
             std::string_view secret_key, const std::vector<std::string>& names) {
  // The parser refuses leading zeros, so expiration_seconds renders back to the verbatim digits.
  std::string expected = ComputeSignature(request, auth.access_key, secret_key, auth.timestamp,
                                          auth.expiration_seconds, names);
  return ConstantTimeEquals(expected, auth.signature);
}

}  // namespace

Status CheckValidityWindow(const BceAuthorization& auth, UnixSeconds now,
                           const VerifyOptions& options) {
  std::int64_t skew = ClampTerm(options.clock_skew_seconds);
  std::int64_t expiration =
      std::min(ClampTerm(auth.expiration_seconds), ClampTerm(options.max_expiration_seconds));
  // 128-bit so a hand-built `auth` with an extreme timestamp cannot overflow the bounds.
  using Wide = __int128;
  Wide timestamp = auth.timestamp_unix;
  if (Wide{now} < timestamp - skew || Wide{now} > timestamp + expiration + skew) {
    return MakeError(ErrorCode::kRequestExpired,
                     "request timestamp is outside the validity window");
  }
  return OkStatus();
}

Status VerifySignature(const SignableRequest& request, const BceAuthorization& auth,
                       std::string_view secret_key) {
  std::vector<std::string> names =
      auth.signed_headers.empty() ? DefaultSignedHeaders(request.headers) : auth.signed_headers;
  if (Matches(request, auth, secret_key, names)) return OkStatus();

  // Go and Java sign `host` without the port but send `Host: h:port`: retried stripped (an
  // IPv6 literal in both of the forms those SDKs sign).
  auto host = FindHost(request.headers);
  if (host && CoversHost(names)) {
    for (std::string& stripped : HostsWithoutPort(request.headers[*host].second)) {
      SignableRequest without_port = request;
      without_port.headers[*host].second = std::move(stripped);
      if (Matches(without_port, auth, secret_key, names)) return OkStatus();
    }
  }
  return MakeError(ErrorCode::kSignatureDoesNotMatch, std::string(kSignatureMismatchMessage));
}

}  // namespace cuplane::auth
