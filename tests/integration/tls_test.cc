// --tls-cert/--tls-key at start-up: every way the files can be wrong stops the server before it
// serves, with a message naming the flag and the file; good files give an https listener.
// (The official Node SDK over that listener: tests/interop/tls.test.mjs.)
#include <gtest/gtest.h>

#include "server_test_fixture.h"
#include "test_certificate.h"

namespace cuplane::testing {
namespace {

class TlsStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    MakeCertificate(dir_, "cert.pem", "key.pem");
  }

  CommandResult Serve(const std::vector<std::string>& tls_flags) {
    std::vector<std::string> args = backend_.StoreFlags(dir_.File("data"));
    args.insert(args.begin(), {"serve", "--listen", "127.0.0.1:0"});
    for (const auto& f : tls_flags) args.push_back(f);
    return RunCommand(args);
  }

  void ExpectRefused(const std::vector<std::string>& tls_flags, const std::string& says) {
    CommandResult r = Serve(tls_flags);
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << "expected '" << says << "' in\n"
                                                      << r.output;
    EXPECT_EQ(r.output.find("cuplane listening"), std::string::npos) << r.output;
  }

  TempDir dir_;
  TestBackend backend_;
};

TEST_F(TlsStartTest, GoodFilesGiveAnHttpsListener) {
  ServerProcess server(
      [&] {
        auto args = backend_.StoreFlags(dir_.File("data"));
        for (const auto& f : {"--tls-cert", "cert.pem", "--tls-key", "key.pem"}) {
          std::string flag = f;
          args.push_back(flag.ends_with(".pem") ? dir_.File(flag) : flag);
        }
        return args;
      }());
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_NE(server.output().find("cuplane listening on https://127.0.0.1:"), std::string::npos)
      << server.output();
}

TEST_F(TlsStartTest, MissingFilesNameTheFlagAndTheFile) {
  ExpectRefused({"--tls-cert", dir_.File("nope.pem"), "--tls-key", dir_.File("key.pem")},
                "cannot read --tls-cert " + dir_.File("nope.pem") + ": No such file");
  ExpectRefused({"--tls-cert", dir_.File("cert.pem"), "--tls-key", dir_.File("nope.pem")},
                "cannot read --tls-key " + dir_.File("nope.pem") + ": No such file");
  ExpectRefused({"--tls-cert", dir_.path(), "--tls-key", dir_.File("key.pem")},
                "--tls-cert " + dir_.path() + " is not a file");
}

TEST_F(TlsStartTest, OneFlagWithoutTheOtherIsRefused) {
  ExpectRefused({"--tls-cert", dir_.File("cert.pem")}, "--tls-cert and --tls-key go together");
  ExpectRefused({"--tls-key", dir_.File("key.pem")}, "--tls-cert and --tls-key go together");
}

TEST_F(TlsStartTest, FilesThatAreNotPemAreRefused) {
  dir_.Write("garbage.pem", "this is not a certificate\n");
  ExpectRefused({"--tls-cert", dir_.File("garbage.pem"), "--tls-key", dir_.File("key.pem")},
                "--tls-cert " + dir_.File("garbage.pem") + " holds no usable PEM certificate");
  // Swapped files: a certificate is no key.
  ExpectRefused({"--tls-cert", dir_.File("cert.pem"), "--tls-key", dir_.File("cert.pem")},
                "--tls-key " + dir_.File("cert.pem") + " holds no usable PEM private key");
}

TEST_F(TlsStartTest, AKeyOfAnotherCertificateIsRefused) {
  MakeCertificate(dir_, "other-cert.pem", "other-key.pem");
  ExpectRefused({"--tls-cert", dir_.File("cert.pem"), "--tls-key", dir_.File("other-key.pem")},
                "--tls-key " + dir_.File("other-key.pem") +
                    " does not belong to the certificate in --tls-cert " + dir_.File("cert.pem"));
}

TEST_F(TlsStartTest, AnEncryptedKeyIsRefusedWithoutAskingForAPassphrase) {
  MakeCertificate(dir_, "enc-cert.pem", "enc-key.pem", "IP:127.0.0.1",
                  "-passout pass:secret-passphrase");
  CommandResult r = Serve({"--tls-cert", dir_.File("enc-cert.pem"), "--tls-key",
                           dir_.File("enc-key.pem")});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("must not be encrypted"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("secret-passphrase"), std::string::npos);
}

}  // namespace
}  // namespace cuplane::testing
