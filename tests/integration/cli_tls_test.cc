// The `cuplane` client commands against an HTTPS server (--tls-cert/--tls-key): trusted through
// --ca-file or CUPLANE_CA_FILE; refused, before any request, when the certificate is not
// trusted or not for the host; and the http:// vs https:// mix-ups named as such. Also
// ApiClient's own TLS constructor, which tests and tools use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_test_fixture.h"
#include "client/tls_client_context.h"
#include "test_certificate.h"

namespace cuplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CliTlsTest : public CliTest {
 protected:
  void SetUp() override {
    MakeCertificate(dir_, "cert.pem", "key.pem", "IP:127.0.0.1,DNS:localhost");
    if (HasFatalFailure()) return;
    CliTest::SetUp();
  }
  std::vector<std::string> ExtraArgs() const override {
    std::vector<std::string> args = CliTest::ExtraArgs();
    args.insert(args.end(),
                {"--tls-cert", dir_.File("cert.pem"), "--tls-key", dir_.File("key.pem")});
    return args;
  }
  std::string Endpoint() const override { return Url("https", "127.0.0.1", server_->port()); }
  std::vector<std::string> TrustFlags() const override {
    return {"--ca-file", dir_.File("cert.pem")};
  }

  static std::string Url(const std::string& scheme, const std::string& host, std::uint16_t port) {
    return scheme + "://" + host + ":" + std::to_string(port);
  }

  // `clock show` at `endpoint` with the operator key and `extra` flags; `env` on top of a
  // clean environment.
  static CommandResult ClockShow(const std::string& endpoint,
                                 const std::vector<std::string>& extra = {},
                                 const EnvChanges& env = {}) {
    std::vector<std::string> args = {"clock",        "show",
                                     "--endpoint",   endpoint,
                                     "--access-key", kOperatorKey.access_key,
                                     "--secret-key", kOperatorKey.secret_key};
    args.insert(args.end(), extra.begin(), extra.end());
    EnvChanges changes = kNoCliEnv;
    changes.insert(changes.end(), env.begin(), env.end());
    return RunCommand(args, changes);
  }

  // A second server on the memory store: plain, or HTTPS with the certificate `cert`.
  static std::unique_ptr<ServerProcess> OtherServer(const TempDir& dir, const std::string& cert,
                                                    const std::string& key) {
    std::vector<std::string> args = {"--store", "memory"};
    if (!cert.empty())
      args.insert(args.end(), {"--tls-cert", dir.File(cert), "--tls-key", dir.File(key)});
    auto server = std::make_unique<ServerProcess>(args);
    EXPECT_TRUE(server->started()) << server->output();
    return server;
  }
};

TEST_F(CliTlsTest, OperatorAndTenantCommandsWorkOverHttpsWithTheCaFile) {
  EXPECT_TRUE(HasRow(CliOk({"inventory", "list"}), {"bj", "gpu-1", "20", "0", "20"}));
  std::string id = BuyPostpaid("svc-a", 1, kTenantAdmin);
  ASSERT_THAT(id, StartsWith("unit-"));
  EXPECT_EQ(Str(DescribeUnit(id, kTenantAdmin).at("instanceId")), id);
  EXPECT_EQ(CliJson({"snapshot", "save", "over-tls"}), true);

  // By name, too (the certificate lists localhost), and with the CA file from the environment.
  CommandResult r = ClockShow(Url("https", "localhost", server_->port()), TrustFlags());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FieldOf(r.output, "Mode"), "system") << r.output;
  r = ClockShow(Endpoint(), {}, {{"CUPLANE_CA_FILE", dir_.File("cert.pem")}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // A flag wins over the variable.
  r = ClockShow(Endpoint(), TrustFlags(), {{"CUPLANE_CA_FILE", dir_.File("nope.pem")}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(CliTlsTest, AnUntrustedCertificateIsRefusedBeforeAnyRequest) {
  CommandResult r =
      Cli({"unit", "purchase", "svc-a", "--replicas", "1", "--postpaid"}, kTenantAdmin);
  EXPECT_EQ(r.exit_code, 0) << r.output;  // with the CA file, as a baseline
  // Without it the system's store knows nothing of a self-signed certificate.
  std::vector<std::string> purchase = {
      "unit",         "purchase",   "svc-a",    "--replicas",   "1",
      "--postpaid",   "--endpoint", Endpoint(), "--access-key", "a-admin",
      "--secret-key", "a-admin-sk"};
  r = RunCommand(purchase, kNoCliEnv);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, StartsWith("error: cannot reach " + Endpoint() + ": "));
  EXPECT_THAT(r.output, HasSubstr("certificate is not trusted (self-signed certificate)"));
  EXPECT_THAT(r.output, HasSubstr("--ca-file FILE (or CUPLANE_CA_FILE)"));

  // Nor does a CA file of another certificate.
  MakeCertificate(dir_, "other-cert.pem", "other-key.pem", "IP:127.0.0.1");
  purchase.insert(purchase.end(), {"--ca-file", dir_.File("other-cert.pem")});
  r = RunCommand(purchase, kNoCliEnv);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("not trusted by --ca-file " + dir_.File("other-cert.pem")));

  // Only the first purchase was sent.
  EXPECT_EQ(CliJson({"unit", "list", "svc-a"}, kTenantAdmin).at("instances").as_array().size(), 1u);
}

TEST_F(CliTlsTest, ACaFileThatCannotBeUsedIsAUsageError) {
  CommandResult r = ClockShow(Endpoint(), {"--ca-file", dir_.File("missing.pem")});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot read --ca-file " + dir_.File("missing.pem") +
                                  ": No such file or directory"));
  // The private key is no certificate.
  r = ClockShow(Endpoint(), {}, {{"CUPLANE_CA_FILE", dir_.File("key.pem")}});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("CUPLANE_CA_FILE " + dir_.File("key.pem") +
                                  " holds no usable PEM certificate"));
}

TEST_F(CliTlsTest, ACertificateForAnotherHostIsRefused) {
  // A server whose certificate names 127.0.0.1 only: trusted, but not for "localhost".
  MakeCertificate(dir_, "ip-cert.pem", "ip-key.pem", "IP:127.0.0.1");
  auto server = OtherServer(dir_, "ip-cert.pem", "ip-key.pem");
  ASSERT_TRUE(server->started());
  const std::vector<std::string> trust = {"--ca-file", dir_.File("ip-cert.pem")};
  std::string by_address = Url("https", "127.0.0.1", server->port());
  std::string by_name = Url("https", "localhost", server->port());

  CommandResult r = ClockShow(by_address, trust);
  // Reached and verified: its operator key is not ours.
  EXPECT_THAT(r.output, StartsWith("error: InvalidAccessKeyId: ")) << r.output;
  r = ClockShow(by_name, trust);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("certificate is not for localhost (hostname mismatch)"));

  // And one that names only a DNS name is not for the address either.
  MakeCertificate(dir_, "dns-cert.pem", "dns-key.pem", "DNS:cuplane.test");
  auto dns_server = OtherServer(dir_, "dns-cert.pem", "dns-key.pem");
  ASSERT_TRUE(dns_server->started());
  r = ClockShow(Url("https", "127.0.0.1", dns_server->port()),
                {"--ca-file", dir_.File("dns-cert.pem")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("certificate is not for 127.0.0.1 (hostname mismatch)"));
}

TEST_F(CliTlsTest, HttpAndHttpsMixUpsSayWhichSchemeToUse) {
  // http:// to this HTTPS server: it drops the connection unanswered.
  CommandResult r = ClockShow(Url("http", "127.0.0.1", server_->port()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("closed the connection without answering"));
  EXPECT_THAT(r.output, HasSubstr("use an https:// endpoint"));

  // https:// to a plain server: it answers the TLS handshake in plain HTTP.
  auto plain = OtherServer(dir_, "", "");
  ASSERT_TRUE(plain->started());
  r = ClockShow(Url("https", "127.0.0.1", plain->port()), TrustFlags());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("the server did not answer in TLS"));
  EXPECT_THAT(r.output, HasSubstr("use an http:// endpoint"));

  // A CA file for a plain endpoint is a mistake, not ignored.
  r = ClockShow(Url("http", "127.0.0.1", plain->port()), TrustFlags());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--ca-file is for https:// endpoints"));
}

TEST_F(CliTlsTest, ApiClientSpeaksHttpsTrustingWhatItsContextTrusts) {
  auto tls = client::TlsClientContext::Load({.ca_file = dir_.File("cert.pem")});
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  client::ApiClient op("127.0.0.1", server_->port(), *tls, {"op-ak", "op-sk"});
  for (int i = 0; i < 3; ++i) {
    auto r = op.Call("/v1/operator", "DescribeInventory", boost::json::object());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200) << r->body;
  }
  auto system_store = client::TlsClientContext::Load({});
  ASSERT_TRUE(system_store.ok()) << system_store.error().message;
  client::ApiClient untrusting("127.0.0.1", server_->port(), *system_store, {"op-ak", "op-sk"});
  auto r = untrusting.Call("/v1/operator", "DescribeInventory", boost::json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("not trusted"));
}

}  // namespace
}  // namespace cuplane::testing
