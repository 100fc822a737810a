#include "auth/bce_signer.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <set>

#include "common/ascii.h"
#include "common/digest.h"

namespace cuplane::auth {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr std::string_view kBcePrefix = "x-bce-";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::optional<int> HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// A '%' not followed by two hex digits is kept literally (and later re-encoded as %25): the
// client signed whatever bytes it sent, and a hostile path must never make us fail or throw.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      auto high = HexValue(text[i + 1]);
      auto low = HexValue(text[i + 2]);
      if (high && low) {
        out.push_back(static_cast<char>(*high * 16 + *low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Python's str.strip() set: SDKs trim with it, so the canonical form must too.
std::string NormalizeName(std::string_view name) { return ToLowerAscii(TrimAsciiSpace(name)); }

bool IsDefaultSignedName(std::string_view lower_name) {
  return lower_name == "host" || lower_name == "content-length" || lower_name == "content-type" ||
         lower_name == "content-md5" || lower_name.starts_with(kBcePrefix);
}

// The value of the first header called `lower_name`; a repeated header is ambiguous, and
// taking the first is what the HTTP parsers of the SDKs' servers do.
// Compared in place, without building a normalized copy of each name (this runs for every
// signed header against every header of every request).
const std::string* FindHeader(const HeaderList& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (EqualsIgnoreCase(TrimAsciiSpace(name), lower_name)) return &value;
  }
  return nullptr;
}

const std::vector<std::string>& OrDefault(const std::vector<std::string>& signed_headers,
                                          const HeaderList& headers,
                                          std::vector<std::string>& storage) {
  if (!signed_headers.empty()) return signed_headers;
  storage = DefaultSignedHeaders(headers);
  return storage;
}

// The names of `signed_headers` that the request actually carries, lower-case, sorted, unique.
std::vector<std::string> PresentSignedNames(const HeaderList& headers,
                                            const std::vector<std::string>& signed_headers) {
  std::set<std::string> names;
  for (const auto& wanted : signed_headers) {
    std::string lower = NormalizeName(wanted);
    if (!lower.empty() && FindHeader(headers, lower) != nullptr) names.insert(std::move(lower));
  }
  return {names.begin(), names.end()};
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  size_t size = parts.empty() ? 0 : separator.size() * (parts.size() - 1);
  for (const std::string& part : parts) size += part.size();
  out.reserve(size);  // one allocation, where growing by appends took several per signature
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(parts[i]);
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0x0F]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view path) {
  // Every SDK signs "/" for an empty path and prefixes a missing leading slash.
  std::string decoded = PercentDecode(path);
  if (decoded.empty() || decoded.front() != '/') decoded.insert(decoded.begin(), '/');
  return UriEncode(decoded, /*keep_slash=*/true);
}

std::string CanonicalQuery(const QueryList& query) {
  std::vector<std::string> parts;
  parts.reserve(query.size());
  for (const auto& [key, value] : query) {
    if (EqualsIgnoreCase(key, "authorization")) continue;
    parts.push_back(UriEncode(key, false) + "=" + UriEncode(value, false));
  }
  std::sort(parts.begin(), parts.end());
  return Join(parts, "&");
}

std::vector<std::string> DefaultSignedHeaders(const HeaderList& headers) {
  std::set<std::string> names;
  for (const auto& header : headers) {
    std::string lower = NormalizeName(header.first);
    if (IsDefaultSignedName(lower)) names.insert(std::move(lower));
  }
  return {names.begin(), names.end()};
}

std::string CanonicalHeaders(const HeaderList& headers,
                             const std::vector<std::string>& signed_headers) {
  std::vector<std::string> lines;
  for (const auto& name : PresentSignedNames(headers, signed_headers)) {
    const std::string* value = FindHeader(headers, name);
    lines.push_back(UriEncode(name, false) + ":" + UriEncode(TrimAsciiSpace(*value), false));
  }
  std::sort(lines.begin(), lines.end());
  return Join(lines, "\n");
}

namespace {

// OpenSSL 3's one-shot HMAC() fetches the algorithm from the provider on every call, which cost
// more than the hashing itself (two HMACs per request). One context per thread, set to SHA-256
// once, is re-keyed for each use instead.
class ThreadHmac {
 public:
  ThreadHmac() {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return;
    ctx_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx_ != nullptr && EVP_MAC_CTX_set_params(ctx_, params) != 1) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~ThreadHmac() { EVP_MAC_CTX_free(ctx_); }
  ThreadHmac(const ThreadHmac&) = delete;
  ThreadHmac& operator=(const ThreadHmac&) = delete;

  EVP_MAC_CTX* get() { return ctx_; }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  // A NULL key would make EVP_MAC_init keep the previous key; an empty view may carry one.
  static const unsigned char kEmpty = 0;
  const auto* key_ptr = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  const auto* data_ptr =
      data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  thread_local ThreadHmac hmac;
  EVP_MAC_CTX* ctx = hmac.get();
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  if (ctx == nullptr || EVP_MAC_init(ctx, key_ptr, key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, data_ptr, data.size()) != 1 ||
      EVP_MAC_final(ctx, digest, &digest_len, sizeof(digest)) != 1) {
    return {};  // never equal to a 64-char signature, so verification fails closed
  }
  return LowerHex(digest, digest_len);
}

namespace {

// bce-auth-v1's signing key, HMAC(secret, "bce-auth-v1/<ak>/<timestamp>/<expiration>"), is the
// same for every request a client signs within one second, and it is half of a verification's
// hashing. Each thread remembers the keys it derived last (a pure function's results, so
// nothing here needs invalidating: a disabled or replaced key is refused before its signature is
// checked, and a changed secret is part of what is compared).
const std::string& SigningKey(std::string_view secret_key, const std::string& auth_prefix) {
  struct Derived {
    std::string secret, prefix, key;
  };
  thread_local std::array<Derived, 64> derived;
  Derived& slot = derived[std::hash<std::string>{}(auth_prefix) % derived.size()];
  if (slot.key.empty() || slot.prefix != auth_prefix || slot.secret != secret_key) {
    slot.key = HmacSha256Hex(secret_key, auth_prefix);
    slot.prefix = auth_prefix;
    slot.secret = std::string(secret_key);
  }
  return slot.key;
}

}  // namespace

std::string ComputeSignature(const SignableRequest& request, std::string_view access_key,
                             std::string_view secret_key, std::string_view timestamp,
                             std::int64_t expiration_seconds,
                             const std::vector<std::string>& signed_headers) {
  std::string auth_prefix;
  auth_prefix.reserve(48 + access_key.size() + timestamp.size());
  auth_prefix.append("bce-auth-v1/").append(access_key).append("/").append(timestamp).append("/");
  auth_prefix.append(std::to_string(expiration_seconds));
  std::string signing_key = SigningKey(secret_key, auth_prefix);

  std::vector<std::string> storage;
  const auto& names = OrDefault(signed_headers, request.headers, storage);
  std::string uri = CanonicalUri(request.path);
  std::string query = CanonicalQuery(request.query);
  std::string headers = CanonicalHeaders(request.headers, names);
  std::string canonical_request;
  canonical_request.reserve(request.method.size() + uri.size() + query.size() + headers.size() + 3);
  canonical_request.append(request.method).append("\n").append(uri);
  canonical_request.append("\n").append(query).append("\n").append(headers);
  return HmacSha256Hex(signing_key, canonical_request);
}

std::string SignRequest(const SignableRequest& request, const SigningInput& input) {
  std::vector<std::string> storage;
  const auto& wanted = OrDefault(input.signed_headers, request.headers, storage);
  // List exactly what the canonical headers cover, so the verifier needs no default rule.
  std::vector<std::string> names = PresentSignedNames(request.headers, wanted);
  std::string signature = ComputeSignature(request, input.access_key, input.secret_key,
                                           input.timestamp, input.expiration_seconds, names);
  std::string header = "bce-auth-v1/";
  header.append(input.access_key).append("/").append(input.timestamp).append("/");
  header.append(std::to_string(input.expiration_seconds)).append("/");
  header.append(Join(names, ";")).append("/").append(signature);
  return header;
}

}  // namespace cuplane::auth
