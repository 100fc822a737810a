#include "auth/signature_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace cuplane::auth {
namespace {

constexpr char kReferenceSignature[] =
    "f6b229ba1d28558b6d845c9cf1a2b6f36ced1986ffb974f6f0cb76e778d97129";
constexpr char kTimestamp[] = "2024-01-01T00:00:00Z";
constexpr UnixSeconds kTimestampUnix = 1704067200;
constexpr char kSecret[] = "s3cr3t-Value-That-Must-Not-Leak";

SignableRequest ReferenceRequest() {
  SignableRequest request;
  request.method = "POST";
  request.path = "/v2/serviceresources";
  request.query = {{"Action", "PurchaseComputeUnit"}};
  request.headers = {{"content-type", "application/json"},
                     {"host", "127.0.0.1:8866"},
                     {"request-source", "qianfan_py_sdk_v0.4.12"},
                     {"x-bce-date", kTimestamp}};
  return request;
}

BceAuthorization Parse(const std::string& header) {
  auto parsed = ParseAuthorization(header);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? parsed.value() : BceAuthorization{};
}

std::string ReferenceHeader(std::string_view names) {
  return std::string("bce-auth-v1/ak/") + kTimestamp + "/300/" + std::string(names) + "/" +
         kReferenceSignature;
}

// Signs `signed_request` and returns the parsed Authorization, to verify against another request.
BceAuthorization SignedBy(const SignableRequest& signed_request,
                          std::vector<std::string> names = {"host", "content-type", "x-bce-date"},
                          std::string_view secret = kSecret) {
  SigningInput input{"AKID", std::string(secret), kTimestamp, 1800, std::move(names)};
  return Parse(SignRequest(signed_request, input));
}

void ExpectMismatch(const SignableRequest& request, const BceAuthorization& auth) {
  Status status = VerifySignature(request, auth, kSecret);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kSignatureDoesNotMatch);
  const std::string& message = status.error().message;
  // Qianfan IAM's text, word for word (the Python SDK matches on it).
  EXPECT_EQ(message, "SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match");
  EXPECT_EQ(message.find(kSecret), std::string::npos);
  if (!auth.signature.empty()) {
    EXPECT_EQ(message.find(auth.signature.substr(0, 16)), std::string::npos);
  }
  std::string expected = ComputeSignature(request, auth.access_key, kSecret, auth.timestamp,
                                          auth.expiration_seconds, auth.signed_headers);
  EXPECT_EQ(message.find(expected.substr(0, 16)), std::string::npos);
}

TEST(VerifySignatureTest, ReferenceVectorVerifies) {
  auto auth = Parse(ReferenceHeader("content-type;host;request-source;x-bce-date"));
  EXPECT_TRUE(VerifySignature(ReferenceRequest(), auth, "sk").ok());
}

TEST(VerifySignatureTest, ReferenceVectorWrongSecretFails) {
  auto auth = Parse(ReferenceHeader("content-type;host;request-source;x-bce-date"));
  ExpectMismatch(ReferenceRequest(), auth);
}

// Signing keys are remembered per thread by (secret, prefix): the same prefix under another
// secret must never verify, in either order, however often each has been seen.
TEST(VerifySignatureTest, ARememberedSigningKeyNeverVerifiesAnotherSecret) {
  SignableRequest request = ReferenceRequest();
  auto by_first = SignedBy(request, {"host", "content-type", "x-bce-date"}, "first-secret");
  auto by_second = SignedBy(request, {"host", "content-type", "x-bce-date"}, "second-secret");
  ASSERT_EQ(by_first.timestamp, by_second.timestamp);
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(VerifySignature(request, by_first, "first-secret").ok());
    EXPECT_FALSE(VerifySignature(request, by_first, "second-secret").ok());
    EXPECT_TRUE(VerifySignature(request, by_second, "second-secret").ok());
    EXPECT_FALSE(VerifySignature(request, by_second, "first-secret").ok());
  }
}

// The Python SDK lists signedHeaders from a set, so any order must verify.
TEST(VerifySignatureTest, SignedHeadersInAnyOrderAndCase) {
  std::vector<std::string> names = {"content-type", "host", "request-source", "x-bce-date"};
  std::mt19937 rng(7);
  for (int i = 0; i < 24; ++i) {
    std::shuffle(names.begin(), names.end(), rng);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ";") + n;
    if (i % 2) std::transform(list.begin(), list.end(), list.begin(), ::toupper);
    EXPECT_TRUE(VerifySignature(ReferenceRequest(), Parse(ReferenceHeader(list)), "sk").ok())
        << list;
  }
}

TEST(VerifySignatureTest, RequestHeaderCaseWhitespaceAndOrderIrrelevant) {
  auto auth = Parse(ReferenceHeader("content-type;host;request-source;x-bce-date"));
  SignableRequest request = ReferenceRequest();
  request.headers = {{"User-Agent", "unsigned"},
                     {" X-Bce-Date ", "  2024-01-01T00:00:00Z  "},
                     {"HOST", "127.0.0.1:8866"},
                     {"Request-Source", "\tqianfan_py_sdk_v0.4.12"},
                     {"Content-Type", "application/json "}};
  EXPECT_TRUE(VerifySignature(request, auth, "sk").ok());
}

TEST(VerifySignatureTest, UpperCaseSignatureAccepted) {
  std::string header = ReferenceHeader("host;content-type;x-bce-date;request-source");
  std::transform(header.end() - 64, header.end(), header.end() - 64, ::toupper);
  EXPECT_TRUE(VerifySignature(ReferenceRequest(), Parse(header), "sk").ok());
}

TEST(VerifySignatureTest, RoundTripThroughSignRequest) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/v2/\xE4\xB8\xAD/a b";
  request.query = {{"marker", "a/b c"}, {"empty", ""}, {"\xC3\xA9", "="}};
  request.headers = {
      {"Host", "example.com"}, {"Content-Type", "application/json"}, {"x-bce-date", kTimestamp}};
  auto auth = SignedBy(request);
  EXPECT_TRUE(VerifySignature(request, auth, kSecret).ok());

  // The server sees the path as sent on the wire, percent-encoded.
  SignableRequest on_the_wire = request;
  on_the_wire.path = "/v2/%E4%B8%AD/a%20b";
  EXPECT_TRUE(VerifySignature(on_the_wire, auth, kSecret).ok());

  // An `authorization` query parameter is never part of the signature.
  on_the_wire.query.push_back({"Authorization", "whatever"});
  EXPECT_TRUE(VerifySignature(on_the_wire, auth, kSecret).ok());
}

// The JS SDK takes x-bce-date and the auth timestamp separately; they may differ.
TEST(VerifySignatureTest, BceDateIndependentOfAuthTimestamp) {
  SignableRequest request = ReferenceRequest();
  request.headers[3].second = "2024-01-01T00:00:01Z";
  auto auth = SignedBy(request);
  EXPECT_EQ(auth.timestamp, kTimestamp);
  EXPECT_TRUE(VerifySignature(request, auth, kSecret).ok());
}

TEST(VerifySignatureTest, UnsignedHeadersMayChange) {
  auto auth = SignedBy(ReferenceRequest());
  SignableRequest request = ReferenceRequest();
  request.headers.push_back({"User-Agent", "x"});
  request.headers.push_back({"x-bce-request-id", "not in the explicit list"});
  request.headers[2].second = "request-source is not signed here";
  EXPECT_TRUE(VerifySignature(request, auth, kSecret).ok());
}

TEST(VerifySignatureTest, DefaultSignedHeadersWhenListEmpty) {
  SignableRequest request = ReferenceRequest();
  request.headers.push_back({"Content-Length", "2"});
  std::string signature = ComputeSignature(request, "ak", kSecret, kTimestamp, 300, {});
  auto auth = Parse(std::string("bce-auth-v1/ak/") + kTimestamp + "/300//" + signature);
  EXPECT_TRUE(VerifySignature(request, auth, kSecret).ok());

  SignableRequest extra_unsigned = request;
  extra_unsigned.headers.push_back({"User-Agent", "anything"});
  extra_unsigned.headers[2].second = "request-source is not a default header";
  EXPECT_TRUE(VerifySignature(extra_unsigned, auth, kSecret).ok());

  // Every x-bce-* header present is covered by default, so adding one breaks the signature.
  SignableRequest extra_bce = request;
  extra_bce.headers.push_back({"X-Bce-Extra", "1"});
  ExpectMismatch(extra_bce, auth);

  SignableRequest changed_length = request;
  changed_length.headers.back().second = "3";
  ExpectMismatch(changed_length, auth);
}

// Go and Java sign `host` without the port but send it with the port.
TEST(VerifySignatureTest, HostSignedWithoutPortSentWithPort) {
  SignableRequest signed_request = ReferenceRequest();
  signed_request.headers[1].second = "127.0.0.1";
  auto auth = SignedBy(signed_request);
  SignableRequest sent = signed_request;
  sent.headers[1].second = "127.0.0.1:8866";
  EXPECT_TRUE(VerifySignature(sent, auth, kSecret).ok());

  sent.headers[1] = {"Host", " 127.0.0.1:8866 "};
  EXPECT_TRUE(VerifySignature(sent, auth, kSecret).ok());
}

// Against a server on [::1], Go signs host as "::1" (no brackets, no port) and Java as "[::1]",
// both sending "Host: [::1]:PORT".
TEST(VerifySignatureTest, BracketedIpv6HostWithPort) {
  for (const char* signed_host : {"::1", "[::1]", "fe80::1%25eth0"}) {
    SignableRequest signed_request = ReferenceRequest();
    signed_request.headers[1].second = signed_host;
    auto auth = SignedBy(signed_request);
    SignableRequest sent = signed_request;
    std::string bare = signed_host[0] == '[' ? std::string(signed_host).substr(1, 3) : signed_host;
    sent.headers[1].second = "[" + bare + "]:8866";
    EXPECT_TRUE(VerifySignature(sent, auth, kSecret).ok()) << signed_host;
    // Never another address, nor the literal with a port left on it.
    sent.headers[1].second = "[::2]:8866";
    ExpectMismatch(sent, auth);
    sent.headers[1].second = "[" + bare + "]:http";
    ExpectMismatch(sent, auth);
  }
  // Signed with the brackets and the port: verifies as sent, no retry needed.
  SignableRequest full = ReferenceRequest();
  full.headers[1].second = "[::1]:8866";
  EXPECT_TRUE(VerifySignature(full, SignedBy(full), kSecret).ok());
  // Signed as "::1:8866" (no brackets, port kept) is not a form any SDK sends.
  SignableRequest odd = full;
  odd.headers[1].second = "::1:8866";
  auto odd_auth = SignedBy(odd);
  ExpectMismatch(full, odd_auth);
}

TEST(VerifySignatureTest, PortQuirkIsNarrow) {
  SignableRequest signed_request = ReferenceRequest();
  signed_request.headers[1].second = "example.com";
  auto auth = SignedBy(signed_request);
  SignableRequest sent = signed_request;
  for (const char* host : {"example.com:", "example.com:http", "example.com:1:2",
                           "example.org:8866", "example.com:123456", ":8866"}) {
    sent.headers[1].second = host;
    ExpectMismatch(sent, auth);
  }

  // Signed with the port, sent without: nothing to strip, no retry.
  SignableRequest with_port = signed_request;
  with_port.headers[1].second = "example.com:8866";
  auto auth_with_port = SignedBy(with_port);
  ExpectMismatch(signed_request, auth_with_port);

  // A bare IPv6 literal has colons but no port.
  SignableRequest bare_v6 = signed_request;
  bare_v6.headers[1].second = "::1";
  auto auth_bare = SignedBy(bare_v6);
  bare_v6.headers[1].second = "::1:8866";
  ExpectMismatch(bare_v6, auth_bare);
}

TEST(VerifySignatureTest, PortIrrelevantWhenHostNotSigned) {
  SignableRequest signed_request = ReferenceRequest();
  auto auth = SignedBy(signed_request, {"content-type", "x-bce-date"});
  SignableRequest sent = signed_request;
  sent.headers[1].second = "elsewhere:1";
  EXPECT_TRUE(VerifySignature(sent, auth, kSecret).ok());
}

TEST(VerifySignatureTest, TamperingIsDetected) {
  const SignableRequest original = ReferenceRequest();
  auto auth = SignedBy(original, {"content-type", "host", "request-source", "x-bce-date"});
  ASSERT_TRUE(VerifySignature(original, auth, kSecret).ok());

  SignableRequest r = original;
  r.method = "PUT";
  ExpectMismatch(r, auth);
  r = original;
  r.path = "/v2/serviceresources/";
  ExpectMismatch(r, auth);
  r = original;
  r.path = "/v2/serviceResources";
  ExpectMismatch(r, auth);
  r = original;
  r.query[0].second = "ReleaseComputeUnit";
  ExpectMismatch(r, auth);
  r = original;
  r.query.push_back({"extra", ""});
  ExpectMismatch(r, auth);
  r = original;
  r.query.clear();
  ExpectMismatch(r, auth);
  r = original;
  r.headers[0].second = "text/plain";
  ExpectMismatch(r, auth);
  r = original;
  r.headers[3].second = "2024-01-01T00:00:01Z";
  ExpectMismatch(r, auth);
  r = original;
  r.headers.erase(r.headers.begin() + 2);  // drop a signed header
  ExpectMismatch(r, auth);
  r = original;
  r.headers.insert(r.headers.begin(), {"Content-Type", "text/plain"});  // first one wins
  ExpectMismatch(r, auth);
  r = original;
  r.headers.push_back({"Content-Type", "text/plain"});  // a later duplicate is ignored
  EXPECT_TRUE(VerifySignature(r, auth, kSecret).ok());
}

TEST(VerifySignatureTest, TamperedAuthorizationFieldsDetected) {
  const SignableRequest request = ReferenceRequest();
  const BceAuthorization good = SignedBy(request);

  BceAuthorization auth = good;
  auth.signature[0] = auth.signature[0] == 'a' ? 'b' : 'a';
  ExpectMismatch(request, auth);

  auth = good;
  auth.access_key = "OTHER";
  ExpectMismatch(request, auth);

  auth = good;
  auth.timestamp = "2024-01-01T00:00:01Z";
  ExpectMismatch(request, auth);

  auth = good;
  auth.expiration_seconds = 1801;
  auth.expiration = "1801";
  ExpectMismatch(request, auth);

  auth = good;
  auth.signed_headers = {"host", "content-type"};  // drops x-bce-date from the coverage
  ExpectMismatch(request, auth);

  auth = good;
  auth.signature = auth.signature.substr(0, 63);
  ExpectMismatch(request, auth);

  auth = good;
  auth.signature.clear();
  ExpectMismatch(request, auth);
}

TEST(VerifySignatureTest, WrongSecretNeverLeaksIntoMessage) {
  auto auth = SignedBy(ReferenceRequest(), {"host"}, "another-secret");
  ExpectMismatch(ReferenceRequest(), auth);
}

BceAuthorization WindowAuth(std::int64_t expiration) {
  BceAuthorization auth;
  auth.timestamp = kTimestamp;
  auth.timestamp_unix = kTimestampUnix;
  auth.expiration = std::to_string(expiration);
  auth.expiration_seconds = expiration;
  return auth;
}

TEST(CheckValidityWindowTest, EdgesAreInclusive) {
  VerifyOptions options;  // skew 300
  auto auth = WindowAuth(300);
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix - 300, options).ok());
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix, options).ok());
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix + 600, options).ok());

  for (UnixSeconds now : {kTimestampUnix - 301, kTimestampUnix + 601}) {
    Status status = CheckValidityWindow(auth, now, options);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kRequestExpired);
    EXPECT_NE(status.error().message.find("validity window"), std::string::npos);
  }
}

TEST(CheckValidityWindowTest, ExpirationCapped) {
  VerifyOptions options;
  auto auth = WindowAuth(30 * 86400);
  const UnixSeconds cap_end = kTimestampUnix + 7 * 86400 + 300;
  EXPECT_TRUE(CheckValidityWindow(auth, cap_end, options).ok());
  EXPECT_FALSE(CheckValidityWindow(auth, cap_end + 1, options).ok());

  options.max_expiration_seconds = 60;
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix + 360, options).ok());
  EXPECT_FALSE(CheckValidityWindow(auth, kTimestampUnix + 361, options).ok());
}

TEST(CheckValidityWindowTest, CustomSkew) {
  VerifyOptions options{.clock_skew_seconds = 0, .max_expiration_seconds = 7 * 86400};
  auto auth = WindowAuth(10);
  EXPECT_FALSE(CheckValidityWindow(auth, kTimestampUnix - 1, options).ok());
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix, options).ok());
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix + 10, options).ok());
  EXPECT_FALSE(CheckValidityWindow(auth, kTimestampUnix + 11, options).ok());
}

TEST(CheckValidityWindowTest, ExtremeValuesDoNotOverflow) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  VerifyOptions huge{.clock_skew_seconds = kMax, .max_expiration_seconds = kMax};
  BceAuthorization auth = WindowAuth(kMax);
  auth.timestamp_unix = kMax;
  EXPECT_FALSE(CheckValidityWindow(auth, 0, huge).ok());
  auth.timestamp_unix = kMin;
  EXPECT_FALSE(CheckValidityWindow(auth, 0, huge).ok());
  VerifyOptions negative{.clock_skew_seconds = -5, .max_expiration_seconds = -5};
  auth = WindowAuth(300);
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix, negative).ok());
  EXPECT_FALSE(CheckValidityWindow(auth, kTimestampUnix + 1, negative).ok());
}

TEST(CheckValidityWindowTest, ParsedHeaderWindow) {
  auto auth = Parse(ReferenceHeader("host"));
  EXPECT_TRUE(CheckValidityWindow(auth, kTimestampUnix + 600, VerifyOptions{}).ok());
  EXPECT_FALSE(CheckValidityWindow(auth, kTimestampUnix + 601, VerifyOptions{}).ok());
}

}  // namespace
}  // namespace cuplane::auth
