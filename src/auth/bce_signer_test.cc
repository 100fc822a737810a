#include "auth/bce_signer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace cuplane::auth {
namespace {

// The request of SPEC §2's reference vector (its signature is checked, with the other shared
// vectors, in bce_signer_vectors_test.cc).
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

TEST(HmacSha256HexTest, EmptyKeyAndData) {
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
