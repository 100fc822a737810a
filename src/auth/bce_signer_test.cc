#include "auth/bce_signer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace cuplane::auth {
namespace {

constexpr char kReferenceSignature[] =
    "f6b229ba1d28558b6d845c9cf1a2b6f36ced1986ffb974f6f0cb76e778d97129";

// SPEC §2 reference vector, produced by the official Python signer.
SignableRequest ReferenceRequest() {
  SignableRequest request;
  request.method = "POST";
  request.path = "/v2/serviceresources";
  request.query = {{"Action", "PurchaseComputeUnit"}};
  request.headers = {{"content-type", "application/json"},
                     {"host", "127.0.0.1:8866"},
                     {"request-source", "qianfan_py_sdk_v0.4.12"},
                     {"x-bce-date", "2024-01-01T00:00:00Z"}};
  return request;
}

const std::vector<std::string> kReferenceSigned = {"content-type", "host", "request-source",
                                                   "x-bce-date"};

TEST(BceSignerTest, ReferenceVector) {
  EXPECT_EQ(ComputeSignature(ReferenceRequest(), "ak", "sk", "2024-01-01T00:00:00Z", 300,
                             kReferenceSigned),
            kReferenceSignature);
}

TEST(BceSignerTest, ReferenceVectorSignRequest) {
  SigningInput input{"ak",
                     "sk",
                     "2024-01-01T00:00:00Z",
                     300,
                     {"x-bce-date", "Host", "request-source", "content-type"}};
  EXPECT_EQ(SignRequest(ReferenceRequest(), input),
            std::string("bce-auth-v1/ak/2024-01-01T00:00:00Z/300/"
                        "content-type;host;request-source;x-bce-date/") +
                kReferenceSignature);
}

TEST(BceSignerTest, SignedHeaderOrderAndCaseDoNotMatter) {
  std::vector<std::string> shuffled = {"X-BCE-DATE", "request-source", " Host ", "content-type"};
  EXPECT_EQ(ComputeSignature(ReferenceRequest(), "ak", "sk", "2024-01-01T00:00:00Z", 300, shuffled),
            kReferenceSignature);
}

TEST(UriEncodeTest, KeepsUnreserved) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(UriEncode(unreserved, false), unreserved);
  EXPECT_EQ(UriEncode(unreserved, true), unreserved);
}

TEST(UriEncodeTest, EncodesReservedAndSpecial) {
  EXPECT_EQ(UriEncode("!#$&'()*+,/:;=?@[]", false),
            "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D");
  EXPECT_EQ(UriEncode(" \"%<>\\^`{|}", false), "%20%22%25%3C%3E%5C%5E%60%7B%7C%7D");
}

TEST(UriEncodeTest, SlashOnlyKeptWhenAsked) {
  EXPECT_EQ(UriEncode("/a/b c/", true), "/a/b%20c/");
  EXPECT_EQ(UriEncode("/a/b c/", false), "%2Fa%2Fb%20c%2F");
}

TEST(UriEncodeTest, EncodesUtf8AndControlBytesWithUpperHex) {
  EXPECT_EQ(UriEncode("\xC3\xA9", false), "%C3%A9");                              // é
  EXPECT_EQ(UriEncode("\xE4\xB8\xAD\xE6\x96\x87", false), "%E4%B8%AD%E6%96%87");  // 中文
  EXPECT_EQ(UriEncode(std::string("\0\n\x7F\xFF", 4), false), "%00%0A%7F%FF");
  EXPECT_EQ(UriEncode("", true), "");
}

TEST(UriEncodeTest, EveryByteFollowsTheRule) {
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    std::string encoded = UriEncode(std::string(1, c), false);
    bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
                      b == '-' || b == '.' || b == '_' || b == '~';
    if (unreserved) {
      EXPECT_EQ(encoded, std::string(1, c)) << b;
    } else {
      char expected[4];
      std::snprintf(expected, sizeof(expected), "%%%02X", b);
      EXPECT_EQ(encoded, expected) << b;
    }
  }
}

TEST(CanonicalUriTest, PlainPathUnchanged) {
  EXPECT_EQ(CanonicalUri("/v2/serviceresources"), "/v2/serviceresources");
  EXPECT_EQ(CanonicalUri("/"), "/");
}

TEST(CanonicalUriTest, EncodedAndRawFormsAgree) {
  EXPECT_EQ(CanonicalUri("/a b"), "/a%20b");
  EXPECT_EQ(CanonicalUri("/a%20b"), "/a%20b");
  EXPECT_EQ(CanonicalUri("/a+b"), "/a%2Bb");
  EXPECT_EQ(CanonicalUri("/a%7Eb"), "/a~b");
  EXPECT_EQ(CanonicalUri("/\xE4\xB8\xAD"), "/%E4%B8%AD");
  EXPECT_EQ(CanonicalUri("/%e4%b8%ad"), "/%E4%B8%AD");
}

// Decoded then re-encoded with '/' kept: an encoded slash becomes a path separator.
TEST(CanonicalUriTest, EncodedSlashBecomesSlash) {
  EXPECT_EQ(CanonicalUri("/a%2Fb"), "/a/b");
  EXPECT_EQ(CanonicalUri("/a%2fb"), "/a/b");
}

TEST(CanonicalUriTest, InvalidPercentSequencesKeptLiterally) {
  EXPECT_EQ(CanonicalUri("/a%zz"), "/a%25zz");
  EXPECT_EQ(CanonicalUri("/a%"), "/a%25");
  EXPECT_EQ(CanonicalUri("/a%4"), "/a%254");
  EXPECT_EQ(CanonicalUri("/%%41"), "/%25A");
  EXPECT_EQ(CanonicalUri("/%00"), "/%00");
}

TEST(CanonicalUriTest, EmptyOrRelativePathGetsLeadingSlash) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("v2/x"), "/v2/x");
}

TEST(CanonicalQueryTest, SortsAndJoins) {
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "1"}, {"c", "3"}}), "a=1&b=2&c=3");
  EXPECT_EQ(CanonicalQuery({{"a", "2"}, {"a", "1"}}), "a=1&a=2");
  EXPECT_EQ(CanonicalQuery({}), "");
}

TEST(CanonicalQueryTest, EmptyValueKeepsEquals) {
  EXPECT_EQ(CanonicalQuery({{"k", ""}, {"a", "1"}}), "a=1&k=");
}

TEST(CanonicalQueryTest, ExcludesAuthorizationInAnyCase) {
  EXPECT_EQ(CanonicalQuery({{"authorization", "x"},
                            {"Authorization", "y"},
                            {"AUTHORIZATION", "z"},
                            {"Action", "List"}}),
            "Action=List");
  EXPECT_EQ(CanonicalQuery({{"authorizations", "x"}}), "authorizations=x");
}

TEST(CanonicalQueryTest, EncodesKeysAndValues) {
  EXPECT_EQ(CanonicalQuery({{"a b", "c/d"}, {"x", "1=2&3"}, {"\xC3\xA9", "~"}}),
            "%C3%A9=~&a%20b=c%2Fd&x=1%3D2%263");
}

TEST(DefaultSignedHeadersTest, PicksStandardAndBceHeaders) {
  HeaderList headers = {{"Host", "h"},
                        {"Content-Length", "2"},
                        {"Content-Type", "json"},
                        {"Content-MD5", "abc"},
                        {"X-Bce-Date", "d"},
                        {"x-bce-request-id", "r"},
                        {"User-Agent", "ua"},
                        {"Accept", "*/*"},
                        {" host ", "dup"},
                        {"x-bcex", "not a bce header"}};
  EXPECT_EQ(DefaultSignedHeaders(headers),
            (std::vector<std::string>{"content-length", "content-md5", "content-type", "host",
                                      "x-bce-date", "x-bce-request-id"}));
  EXPECT_TRUE(DefaultSignedHeaders({}).empty());
}

TEST(CanonicalHeadersTest, TrimsLowersAndEncodes) {
  HeaderList headers = {{" Content-Type ", "  application/json \t"}, {"X-Bce-Meta", "a b:c"}};
  EXPECT_EQ(CanonicalHeaders(headers, {"content-type", "x-bce-meta"}),
            "content-type:application%2Fjson\nx-bce-meta:a%20b%3Ac");
}

TEST(CanonicalHeadersTest, OrderOfSignedNamesAndHeadersIrrelevant) {
  HeaderList headers = {{"b", "2"}, {"a", "1"}, {"c", "3"}};
  HeaderList reversed = {{"c", "3"}, {"a", "1"}, {"b", "2"}};
  std::string expected = "a:1\nb:2\nc:3";
  EXPECT_EQ(CanonicalHeaders(headers, {"a", "b", "c"}), expected);
  EXPECT_EQ(CanonicalHeaders(headers, {"C", "a", "B"}), expected);
  EXPECT_EQ(CanonicalHeaders(reversed, {"b", "c", "a"}), expected);
}

TEST(CanonicalHeadersTest, SkipsAbsentUsesFirstOccurrenceAndDeduplicates) {
  HeaderList headers = {{"Host", "first"}, {"host", "second"}, {"x-bce-date", "d"}};
  EXPECT_EQ(CanonicalHeaders(headers, {"host", "content-md5", "host", "x-bce-date"}),
            "host:first\nx-bce-date:d");
  EXPECT_EQ(CanonicalHeaders(headers, {}), "");
}

TEST(CanonicalHeadersTest, EmptyValueSigned) {
  EXPECT_EQ(CanonicalHeaders({{"x-bce-empty", "   "}}, {"x-bce-empty"}), "x-bce-empty:");
}

TEST(HmacSha256HexTest, KnownAnswers) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(ComputeSignatureTest, EmptySignedListMeansDefaults) {
  SignableRequest request = ReferenceRequest();
  request.headers.push_back({"User-Agent", "ignored"});
  std::vector<std::string> defaults = DefaultSignedHeaders(request.headers);
  EXPECT_EQ(defaults, (std::vector<std::string>{"content-type", "host", "x-bce-date"}));
  EXPECT_EQ(ComputeSignature(request, "ak", "sk", "2024-01-01T00:00:00Z", 300, {}),
            ComputeSignature(request, "ak", "sk", "2024-01-01T00:00:00Z", 300, defaults));
}

TEST(ComputeSignatureTest, EveryInputMatters) {
  const std::string base = ComputeSignature(ReferenceRequest(), "ak", "sk", "2024-01-01T00:00:00Z",
                                            300, kReferenceSigned);
  auto sign = [](const SignableRequest& r, std::string_view ak, std::string_view sk,
                 std::string_view ts, std::int64_t exp) {
    return ComputeSignature(r, ak, sk, ts, exp, kReferenceSigned);
  };
  SignableRequest r = ReferenceRequest();
  EXPECT_NE(sign(r, "ak2", "sk", "2024-01-01T00:00:00Z", 300), base);
  EXPECT_NE(sign(r, "ak", "sk2", "2024-01-01T00:00:00Z", 300), base);
  EXPECT_NE(sign(r, "ak", "sk", "2024-01-01T00:00:01Z", 300), base);
  EXPECT_NE(sign(r, "ak", "sk", "2024-01-01T00:00:00Z", 301), base);
  r.method = "GET";
  EXPECT_NE(sign(r, "ak", "sk", "2024-01-01T00:00:00Z", 300), base);
  r = ReferenceRequest();
  r.path = "/v2/serviceresource";
  EXPECT_NE(sign(r, "ak", "sk", "2024-01-01T00:00:00Z", 300), base);
  r = ReferenceRequest();
  r.query[0].second = "DescribeComputeUnit";
  EXPECT_NE(sign(r, "ak", "sk", "2024-01-01T00:00:00Z", 300), base);
  r = ReferenceRequest();
  r.headers[0].second = "text/plain";
  EXPECT_NE(sign(r, "ak", "sk", "2024-01-01T00:00:00Z", 300), base);
}

TEST(SignRequestTest, ListsOnlyPresentHeadersSortedLowerCase) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/v2/x";
  request.headers = {{"X-Bce-Date", "d"}, {"Host", "h"}, {"Accept", "*/*"}};
  SigningInput input{"AK", "SK", "2024-01-01T00:00:00Z", 1800, {"x-bce-date", "host", "absent"}};
  std::string header = SignRequest(request, input);
  EXPECT_TRUE(header.starts_with("bce-auth-v1/AK/2024-01-01T00:00:00Z/1800/host;x-bce-date/"))
      << header;
  EXPECT_EQ(
      header.substr(header.rfind('/') + 1),
      ComputeSignature(request, "AK", "SK", "2024-01-01T00:00:00Z", 1800, {"host", "x-bce-date"}));
}

TEST(SignRequestTest, EmptySignedListSpellsOutDefaults) {
  SignableRequest request = ReferenceRequest();
  SigningInput input{"ak", "sk", "2024-01-01T00:00:00Z", 300, {}};
  std::string header = SignRequest(request, input);
  EXPECT_TRUE(
      header.starts_with("bce-auth-v1/ak/2024-01-01T00:00:00Z/300/"
                         "content-type;host;x-bce-date/"))
      << header;
}

}  // namespace
}  // namespace cuplane::auth
