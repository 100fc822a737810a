#include "cli/endpoint.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace cuplane::cli {
namespace {

TEST(ParseEndpointTest, TakesHostAndPortWithPort80ByDefault) {
  auto e = ParseEndpoint("http://127.0.0.1:8866");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8866);
  e = ParseEndpoint("http://cuplane.internal/");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->host, "cuplane.internal");
  EXPECT_EQ(e->port, 80);
  e = ParseEndpoint("HTTP://[::1]:9000");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 9000);
}

TEST(ParseEndpointTest, RefusesWhatThePlainHttpClientCannotHonour) {
  for (const char* url : {"", "127.0.0.1:8866", "localhost:8866", "https://h", "ftp://h", "http://",
                          "http://h:0", "http://h:65536", "http://h:", "http://h/v2",
                          "http://h?x=1", "http://u:p@h", "http://h#f"}) {
    auto e = ParseEndpoint(url);
    EXPECT_FALSE(e.ok()) << url;
    if (!e.ok()) {
      EXPECT_NE(e.error().message.find("http://HOST[:PORT]"), std::string::npos);
    }
  }
}

class ResolveConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kNames) unsetenv(name);
  }
  void TearDown() override {
    for (const char* name : kNames) unsetenv(name);
  }
  static constexpr const char* kNames[] = {"CUPLANE_ENDPOINT", "CUPLANE_ACCESS_KEY",
                                           "CUPLANE_SECRET_KEY"};
};

TEST_F(ResolveConnectionTest, FlagsThenEnvironmentThenDefault) {
  ConnectionFlags flags{"", "flag-ak", "flag-sk"};
  auto c = ResolveConnection(flags);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->endpoint, kDefaultEndpoint);
  EXPECT_EQ(c->address.port, 8866);

  setenv("CUPLANE_ENDPOINT", "http://env-host:1234", 1);
  setenv("CUPLANE_ACCESS_KEY", "env-ak", 1);
  setenv("CUPLANE_SECRET_KEY", "env-sk", 1);
  c = ResolveConnection(flags);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address.host, "env-host");
  EXPECT_EQ(c->credentials.access_key, "flag-ak");
  EXPECT_EQ(c->credentials.secret_key, "flag-sk");

  c = ResolveConnection(ConnectionFlags{"http://flag-host", "", ""});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address.host, "flag-host");
  EXPECT_EQ(c->credentials.access_key, "env-ak");
  EXPECT_EQ(c->credentials.secret_key, "env-sk");
}

TEST_F(ResolveConnectionTest, MissingCredentialsSayHowToGiveThem) {
  setenv("CUPLANE_ACCESS_KEY", "env-ak", 1);
  setenv("CUPLANE_SECRET_KEY", "", 1);  // empty counts as unset
  auto c = ResolveConnection(ConnectionFlags{});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("CUPLANE_SECRET_KEY"), std::string::npos);
  EXPECT_NE(c.error().message.find("--secret-key"), std::string::npos);
}

}  // namespace
}  // namespace cuplane::cli
