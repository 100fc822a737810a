#include "auth/authorization_header.h"

#include <array>
#include <optional>

#include "common/ascii.h"

namespace cuplane::auth {
namespace {

constexpr std::string_view kPrefix = "bce-auth-v1";
constexpr size_t kMaxHeaderLength = 4096;
constexpr size_t kMaxAccessKeyLength = 128;
constexpr size_t kMaxExpirationDigits = 10;
constexpr size_t kMaxSignedHeaders = 64;
constexpr size_t kSignatureLength = 64;
constexpr size_t kPartCount = 6;

// Messages name the offending part but never echo input: the header carries a signature.
Error Malformed(std::string_view what) {
  return MakeError(ErrorCode::kInvalidHTTPAuthHeader,
                   "malformed bce-auth-v1 Authorization header: " + std::string(what));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsVisibleAscii(std::string_view s) {
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Splits on '/' into exactly kPartCount parts; nullopt for any other count.
std::optional<std::array<std::string_view, kPartCount>> SplitParts(std::string_view text) {
  std::array<std::string_view, kPartCount> parts;
  size_t count = 0;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    if (count == kPartCount) return std::nullopt;
    parts[count++] = text.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (count != kPartCount) return std::nullopt;
  return parts;
}

Status CheckAccessKey(std::string_view ak) {
  if (ak.empty()) return Malformed("empty access key id");
  if (ak.size() > kMaxAccessKeyLength) return Malformed("access key id too long");
  if (!IsVisibleAscii(ak)) return Malformed("access key id has invalid characters");
  return OkStatus();
}

// Leading zeros are refused so that the verbatim digits (part of the signing key) and the
// number always round-trip: ComputeSignature re-renders the expiration from the integer.
Result<std::int64_t> ParseExpiration(std::string_view digits) {
  if (digits.empty() || digits.size() > kMaxExpirationDigits) {
    return Malformed("expiration must be 1 to 10 decimal digits");
  }
  std::int64_t value = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return Malformed("expiration must be decimal digits");
    value = value * 10 + (c - '0');
  }
  if (value <= 0) return Malformed("expiration must be positive");
  if (digits.front() == '0') return Malformed("expiration must not have leading zeros");
  return value;
}

Result<std::vector<std::string>> ParseSignedHeaders(std::string_view list) {
  std::vector<std::string> names;
  if (list.empty()) return names;
  size_t start = 0;
  while (true) {
    size_t semicolon = list.find(';', start);
    std::string_view name =
        list.substr(start, semicolon == std::string_view::npos ? semicolon : semicolon - start);
    if (name.empty()) return Malformed("empty name in signed headers");
    if (!IsVisibleAscii(name)) return Malformed("invalid name in signed headers");
    if (names.size() == kMaxSignedHeaders) return Malformed("too many signed headers");
    names.push_back(ToLowerAscii(name));
    if (semicolon == std::string_view::npos) break;
    start = semicolon + 1;
  }
  return names;
}

Result<std::string> ParseSignature(std::string_view hex) {
  if (hex.size() != kSignatureLength) return Malformed("signature must be 64 hex characters");
  for (char c : hex) {
    if (!IsHex(c)) return Malformed("signature must be 64 hex characters");
  }
  return ToLowerAscii(hex);
}

}  // namespace

Result<BceAuthorization> ParseAuthorization(std::string_view header) {
  if (header.size() > kMaxHeaderLength) return Malformed("header too long");
  auto parts = SplitParts(Trim(header));
  if (!parts) return Malformed("expected 6 '/'-separated parts");
  const auto& [prefix, ak, timestamp, expiration, signed_headers, signature] = *parts;

  if (prefix != kPrefix) return Malformed("unsupported version, expected bce-auth-v1");
  CUPLANE_TRY(CheckAccessKey(ak));
  auto unix_time = ParseRfc3339(timestamp);
  if (!unix_time) return Malformed("timestamp is not RFC 3339");
  CUPLANE_ASSIGN_OR_RETURN(std::int64_t expiration_seconds, ParseExpiration(expiration));
  CUPLANE_ASSIGN_OR_RETURN(std::vector<std::string> names, ParseSignedHeaders(signed_headers));
  CUPLANE_ASSIGN_OR_RETURN(std::string lower_signature, ParseSignature(signature));

  BceAuthorization auth;
  auth.access_key = std::string(ak);
  auth.timestamp = std::string(timestamp);
  auth.timestamp_unix = *unix_time;
  auth.expiration = std::string(expiration);
  auth.expiration_seconds = expiration_seconds;
  auth.signed_headers = std::move(names);
  auth.signature = std::move(lower_signature);
  return auth;
}

}  // namespace cuplane::auth
