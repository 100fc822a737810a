#include "auth/authorization_header.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

namespace cuplane::auth {
namespace {

constexpr char kSignature[] = "f6b229ba1d28558b6d845c9cf1a2b6f36ced1986ffb974f6f0cb76e778d97129";

std::string Header(std::string_view ak = "ak", std::string_view ts = "2024-01-01T00:00:00Z",
                   std::string_view exp = "300",
                   std::string_view names = "content-type;host;request-source;x-bce-date",
                   std::string_view sig = kSignature, std::string_view prefix = "bce-auth-v1") {
  std::string h(prefix);
  h.append("/").append(ak).append("/").append(ts).append("/").append(exp).append("/");
  h.append(names).append("/").append(sig);
  return h;
}

// Every rejection is InvalidHTTPAuthHeader and never echoes the signature.
void ExpectRejected(std::string_view header, std::string_view part_in_message = "") {
  auto parsed = ParseAuthorization(header);
  ASSERT_FALSE(parsed.ok()) << header;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidHTTPAuthHeader) << header;
  EXPECT_EQ(parsed.error().message.find(kSignature), std::string::npos);
  EXPECT_EQ(parsed.error().message.find("F6B229BA"), std::string::npos);
  EXPECT_EQ(parsed.error().message.find("f6b229ba"), std::string::npos);
  if (!part_in_message.empty()) {
    EXPECT_NE(parsed.error().message.find(part_in_message), std::string::npos)
        << parsed.error().message;
  }
}

TEST(ParseAuthorizationTest, ParsesAllParts) {
  auto parsed = ParseAuthorization(Header());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->access_key, "ak");
  EXPECT_EQ(parsed->timestamp, "2024-01-01T00:00:00Z");
  EXPECT_EQ(parsed->timestamp_unix, 1704067200);
  EXPECT_EQ(parsed->expiration, "300");
  EXPECT_EQ(parsed->expiration_seconds, 300);
  EXPECT_EQ(parsed->signed_headers,
            (std::vector<std::string>{"content-type", "host", "request-source", "x-bce-date"}));
  EXPECT_EQ(parsed->signature, kSignature);
}

TEST(ParseAuthorizationTest, NormalisesCaseAndKeepsOrder) {
  std::string upper_sig = kSignature;
  for (char& c : upper_sig) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto parsed = ParseAuthorization(
      Header("AK-Mixed", "2024-01-01T00:00:00Z", "300", "X-Bce-Date;Host;Content-Type", upper_sig));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->access_key, "AK-Mixed");  // access keys are case-sensitive
  EXPECT_EQ(parsed->signed_headers,
            (std::vector<std::string>{"x-bce-date", "host", "content-type"}));
  EXPECT_EQ(parsed->signature, kSignature);
}

TEST(ParseAuthorizationTest, EmptySignedHeadersAllowed) {
  auto parsed = ParseAuthorization(Header("ak", "2024-01-01T00:00:00Z", "300", ""));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->signed_headers.empty());
}

TEST(ParseAuthorizationTest, ToleratesSurroundingWhitespace) {
  auto parsed = ParseAuthorization("  \t" + Header() + " \r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->signature, kSignature);
}

TEST(ParseAuthorizationTest, TimestampWithOffsetKeptVerbatim) {
  auto parsed = ParseAuthorization(Header("ak", "2024-01-01T08:00:00+08:00"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->timestamp, "2024-01-01T08:00:00+08:00");
  EXPECT_EQ(parsed->timestamp_unix, 1704067200);
}

TEST(ParseAuthorizationTest, ExpirationBounds) {
  auto max = ParseAuthorization(Header("ak", "2024-01-01T00:00:00Z", "9999999999"));
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->expiration_seconds, 9999999999);
  auto one = ParseAuthorization(Header("ak", "2024-01-01T00:00:00Z", "1"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->expiration_seconds, 1);
}

TEST(ParseAuthorizationTest, AccessKeyBounds) {
  EXPECT_TRUE(ParseAuthorization(Header(std::string(128, 'k'))).ok());
  ExpectRejected(Header(std::string(129, 'k')), "access key");
  ExpectRejected(Header(""), "access key");
  ExpectRejected(Header("a k"), "access key");
  ExpectRejected(Header("a\x01k"), "access key");
  ExpectRejected(Header("\xC3\xA9"), "access key");
}

TEST(ParseAuthorizationTest, RejectsWrongPrefix) {
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", kSignature, "bce-auth-v2"),
                 "version");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", kSignature, "BCE-AUTH-V1"));
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", kSignature, ""));
  ExpectRejected("Bearer " + Header());
}

TEST(ParseAuthorizationTest, RejectsWrongPartCount) {
  ExpectRejected(std::string("bce-auth-v1/ak/2024-01-01T00:00:00Z/300/") + kSignature, "6");
  ExpectRejected(Header() + "/extra", "6");
  ExpectRejected(Header() + "/", "6");
  ExpectRejected("bce-auth-v1", "6");
  ExpectRejected("", "6");
  ExpectRejected("   ", "6");
  ExpectRejected("/////");
}

TEST(ParseAuthorizationTest, RejectsBadTimestamp) {
  ExpectRejected(Header("ak", "2024-01-01 00:00:00Z"), "timestamp");
  ExpectRejected(Header("ak", "2024-13-01T00:00:00Z"), "timestamp");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00"), "timestamp");
  ExpectRejected(Header("ak", "1704067200"), "timestamp");
  ExpectRejected(Header("ak", ""), "timestamp");
}

TEST(ParseAuthorizationTest, RejectsBadExpiration) {
  for (const char* exp : {"", "abc", "30s", "-1", "+300", " 300", "3.5", "0", "00", "0300",
                          "12345678901", "99999999999999999999999"}) {
    ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", exp), "expiration");
  }
}

TEST(ParseAuthorizationTest, RejectsBadSignedHeaders) {
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host;;x-bce-date"), "signed");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", ";host"), "signed");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host;"), "signed");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", ";"), "signed");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host; content-type"), "signed");
}

TEST(ParseAuthorizationTest, SignedHeaderCountCap) {
  auto names = [](int n) {
    std::string list;
    for (int i = 0; i < n; ++i) list += (i ? ";x-bce-h" : "x-bce-h") + std::to_string(i);
    return list;
  };
  auto ok = ParseAuthorization(Header("ak", "2024-01-01T00:00:00Z", "300", names(64)));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->signed_headers.size(), 64u);
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", names(65)), "too many");
}

TEST(ParseAuthorizationTest, RejectsBadSignature) {
  std::string sig = kSignature;
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", sig.substr(1)), "signature");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", sig + "0"), "signature");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", ""), "signature");
  std::string non_hex = sig;
  non_hex[10] = 'g';
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", non_hex), "signature");
  std::string spaced = sig;
  spaced[10] = ' ';
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", "host", spaced), "signature");
}

TEST(ParseAuthorizationTest, LengthCap) {
  std::string base = Header("ak", "2024-01-01T00:00:00Z", "300", "");
  // Surrounding whitespace counts: the cap guards the raw header, before any trimming.
  std::string at_cap = base + std::string(4096 - base.size(), ' ');
  EXPECT_TRUE(ParseAuthorization(at_cap).ok());
  ExpectRejected(at_cap + " ", "too long");
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "300", std::string(5000, 'h')), "too long");
}

TEST(ParseAuthorizationTest, MessagesNeverEchoTheSignature) {
  // A header that is wrong only in a late part still carries a valid-looking signature.
  ExpectRejected(Header("ak", "bad-time"));
  ExpectRejected(Header("ak", "2024-01-01T00:00:00Z", "0"));
  ExpectRejected(Header() + "/x");
  ExpectRejected(std::string(kSignature) + "/" + Header());
}

TEST(ParseAuthorizationTest, RandomInputNeverThrowsOrCrashes) {
  std::mt19937 rng(12345);
  const std::string valid = Header();
  const std::string alphabet = "bce-auth-v1/;:0123456789TZ+ %abcdefABCDEF\t\x80\xff";
  for (int i = 0; i < 5000; ++i) {
    std::string input = valid;
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      size_t pos = input.empty() ? 0 : rng() % input.size();
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (!input.empty()) input[pos] = c;
          break;
        case 1:
          input.insert(input.begin() + static_cast<std::ptrdiff_t>(pos), c);
          break;
        default:
          if (!input.empty()) input.erase(pos, 1 + rng() % 8);
          break;
      }
    }
    EXPECT_NO_THROW({
      auto parsed = ParseAuthorization(input);
      if (!parsed.ok()) {
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidHTTPAuthHeader);
      }
    });
  }
}

}  // namespace
}  // namespace cuplane::auth
