// The shared bce-auth-v1 vectors (bce_signer_test_vectors.json), which the console's browser
// signer must give too (tests/browser/signer.test.mjs): one file, so the two implementations
// cannot drift apart unnoticed.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "auth/bce_signer.h"

namespace cuplane::auth {
namespace {

const boost::json::object& Vectors() {
  static const boost::json::object vectors = [] {
    std::ifstream in(CUPLANE_SOURCE_DIR "/src/auth/bce_signer_test_vectors.json");
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_object();
  }();
  return vectors;
}

const boost::json::array& Cases(const char* group) {
  const boost::json::array& cases = Vectors().at(group).as_array();
  EXPECT_FALSE(cases.empty()) << group;
  return cases;
}

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

std::vector<std::pair<std::string, std::string>> Pairs(const boost::json::value& v) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& pair : v.as_array()) {
    pairs.emplace_back(Str(pair.as_array().at(0)), Str(pair.as_array().at(1)));
  }
  return pairs;
}

std::vector<std::string> Strings(const boost::json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.push_back(Str(s));
  return out;
}

TEST(BceSignerVectorsTest, UriEncode) {
  for (const auto& c : Cases("uriEncode")) {
    const auto& o = c.as_object();
    EXPECT_EQ(UriEncode(Str(o.at("text")), o.at("keepSlash").as_bool()), Str(o.at("expect")))
        << o.at("text");
  }
}

TEST(BceSignerVectorsTest, CanonicalUri) {
  for (const auto& c : Cases("canonicalUri")) {
    const auto& o = c.as_object();
    EXPECT_EQ(CanonicalUri(Str(o.at("path"))), Str(o.at("expect"))) << o.at("path");
  }
}

TEST(BceSignerVectorsTest, CanonicalQuery) {
  for (const auto& c : Cases("canonicalQuery")) {
    const auto& o = c.as_object();
    EXPECT_EQ(CanonicalQuery(Pairs(o.at("query"))), Str(o.at("expect"))) << o.at("query");
  }
}

TEST(BceSignerVectorsTest, CanonicalHeaders) {
  for (const auto& c : Cases("canonicalHeaders")) {
    const auto& o = c.as_object();
    EXPECT_EQ(CanonicalHeaders(Pairs(o.at("headers")), Strings(o.at("signed"))),
              Str(o.at("expect")))
        << o.at("headers");
  }
}

TEST(BceSignerVectorsTest, HmacSha256Hex) {
  for (const auto& c : Cases("hmacSha256Hex")) {
    const auto& o = c.as_object();
    EXPECT_EQ(HmacSha256Hex(Str(o.at("key")), Str(o.at("data"))), Str(o.at("expect")));
  }
}

TEST(BceSignerVectorsTest, Signatures) {
  for (const auto& c : Cases("signatures")) {
    const auto& o = c.as_object();
    SignableRequest request{Str(o.at("method")), Str(o.at("path")), Pairs(o.at("query")),
                            Pairs(o.at("headers"))};
    SigningInput input{Str(o.at("accessKey")), Str(o.at("secretKey")), Str(o.at("timestamp")),
                       o.at("expiration").to_number<std::int64_t>(),
                       Strings(o.at("signedHeaders"))};
    std::string authorization = SignRequest(request, input);
    EXPECT_EQ(authorization, Str(o.at("expectAuthorization"))) << o.at("name");
    EXPECT_EQ(authorization.substr(authorization.rfind('/') + 1), Str(o.at("expectSignature")))
        << o.at("name");
  }
}

}  // namespace
}  // namespace cuplane::auth
