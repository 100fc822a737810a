#include "cli/endpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

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
  EXPECT_FALSE(e->tls);
  e = ParseEndpoint("HTTP://[::1]:9000");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 9000);
  EXPECT_FALSE(e->tls);
}

TEST(ParseEndpointTest, HttpsIsTlsWithPort443ByDefault) {
  auto e = ParseEndpoint("https://cuplane.internal");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "cuplane.internal");
  EXPECT_EQ(e->port, 443);
  e = ParseEndpoint("HTTPS://127.0.0.1:8443/");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8443);
  e = ParseEndpoint("https://[::1]:9443");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 9443);
}

TEST(ParseEndpointTest, RefusesWhatTheClientCannotHonour) {
  for (const char* url : {"", "127.0.0.1:8866", "localhost:8866", "ftp://h", "ws://h", "http://",
                          "https://", "http://h:0", "http://h:65536", "https://h:65536",
                          "http://h:", "http://h/v2", "https://h/v2", "http://h?x=1",
                          "https://h?x=1", "http://u:p@h", "https://u@h", "http://h#f"}) {
    auto e = ParseEndpoint(url);
    EXPECT_FALSE(e.ok()) << url;
    if (!e.ok()) {
      EXPECT_NE(e.error().message.find("expected http://HOST[:PORT] or https://HOST[:PORT]"),
                std::string::npos)
          << e.error().message;
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
                                           "CUPLANE_SECRET_KEY", "CUPLANE_CA_FILE"};
};

// A file that is no certificate, removed with the object.
class NotAPemFile {
 public:
  NotAPemFile() {
    char name[] = "/tmp/cuplane-endpoint-test-XXXXXX";
    int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_) << "not a certificate\n";
  }
  ~NotAPemFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_F(ResolveConnectionTest, FlagsThenEnvironmentThenDefault) {
  ConnectionFlags flags{"", "flag-ak", "flag-sk", ""};
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

  c = ResolveConnection(ConnectionFlags{"http://flag-host", "", "", ""});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address.host, "flag-host");
  EXPECT_EQ(c->credentials.access_key, "env-ak");
  EXPECT_EQ(c->credentials.secret_key, "env-sk");
}

TEST_F(ResolveConnectionTest, HttpsTrustsTheSystemStoreUnlessACaFileIsGiven) {
  auto c = ResolveConnection(ConnectionFlags{"https://h", "ak", "sk", ""});
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->tls, nullptr);
  EXPECT_EQ(c->tls->options().ca_file, "");
  c = ResolveConnection(ConnectionFlags{"http://h", "ak", "sk", ""});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tls, nullptr);
}

TEST_F(ResolveConnectionTest, ACaFileThatCannotBeUsedNamesTheFlagOrTheVariable) {
  auto c = ResolveConnection(ConnectionFlags{"https://h", "ak", "sk", "/nonexistent/ca.pem"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "cannot read --ca-file /nonexistent/ca.pem: No such file or directory");

  setenv("CUPLANE_CA_FILE", "/nonexistent/env-ca.pem", 1);
  c = ResolveConnection(ConnectionFlags{"https://h", "ak", "sk", ""});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "cannot read CUPLANE_CA_FILE /nonexistent/env-ca.pem: No such file or directory");

  NotAPemFile garbage;
  c = ResolveConnection(ConnectionFlags{"https://h", "ak", "sk", garbage.path()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(
      c.error().message.find("--ca-file " + garbage.path() + " holds no usable PEM certificate"),
      std::string::npos)
      << c.error().message;
  c = ResolveConnection(ConnectionFlags{"https://h", "ak", "sk", "/tmp"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "--ca-file /tmp is not a file");
}

TEST_F(ResolveConnectionTest, ACaFileFlagForPlainHttpIsAMistake) {
  auto c = ResolveConnection(ConnectionFlags{"http://h", "ak", "sk", "/etc/ssl/ca.pem"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "--ca-file is for https:// endpoints; http://h is plain HTTP");
  // The variable serves the shell's https:// endpoints; a plain one simply does not use it.
  setenv("CUPLANE_CA_FILE", "/nonexistent/env-ca.pem", 1);
  c = ResolveConnection(ConnectionFlags{"http://h", "ak", "sk", ""});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tls, nullptr);
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
