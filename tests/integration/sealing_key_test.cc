// The secret-sealing key is checked against the store at start (SPEC §6): a server given
// another key, or one whose key file was lost, refuses to start and says what to do, instead
// of serving and answering 500 to every request signed with an existing key.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

class SealingKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    CUPLANE_REQUIRE_DURABLE_STORE();  // a memory store has no sealed secrets from before
    dir_.Write("bootstrap.json", kBootstrapJson);
    ServerProcess first(Args({}));
    ASSERT_TRUE(first.started()) << first.output();
    ASSERT_EQ(first.Stop(), 0);
  }

  std::vector<std::string> Args(const std::vector<std::string>& extra) const {
    std::vector<std::string> args = backend_.StoreFlags(dir_.File("data"));
    args.push_back("--bootstrap");
    args.push_back(dir_.File("bootstrap.json"));
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  CommandResult Serve(const std::vector<std::string>& extra) const {
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
    for (const auto& a : Args(extra)) args.push_back(a);
    return RunCommand(args);
  }

  std::string KeyFile() const { return dir_.File("data") + "/secret.key"; }

  TempDir dir_;
  TestBackend backend_;
};

TEST_F(SealingKeyTest, AServerWithAnotherKeyRefusesToStartNamingTheFlag) {
  dir_.Write("other.key", std::string(64, '7') + "\n");
  ::chmod(dir_.File("other.key").c_str(), 0600);
  auto refused = Serve({"--secret-key-file", dir_.File("other.key")});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("is not the key this store's secret keys were sealed with"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--secret-key-file"), std::string::npos) << refused.output;
  EXPECT_EQ(refused.output.find("cuplane listening"), std::string::npos) << refused.output;
  EXPECT_EQ(refused.output.find(std::string(64, '7')), std::string::npos) << "the key leaked";

  // The right key still works, and the stored secrets still verify.
  ServerProcess again(Args({}));
  ASSERT_TRUE(again.started()) << again.output();
  auto admin = again.Client("a-admin", "a-admin-sk");
  auto r = CallOk(admin, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(SealingKeyTest, ALostKeyFileIsNotReplacedByANewKey) {
  std::filesystem::rename(KeyFile(), dir_.File("saved.key"));
  auto refused = Serve({});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("the key file was lost"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--secret-key-file"), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(KeyFile())) << "a useless new key was left behind";

  // The same with a key file named on the command line that does not exist.
  auto elsewhere = Serve({"--secret-key-file", dir_.File("missing.key")});
  EXPECT_EQ(elsewhere.exit_code, 1) << elsewhere.output;
  EXPECT_NE(elsewhere.output.find("the key file was lost"), std::string::npos) << elsewhere.output;

  // Put back, it serves again.
  std::filesystem::rename(dir_.File("saved.key"), KeyFile());
  ServerProcess again(Args({}));
  ASSERT_TRUE(again.started()) << again.output();
  auto op = again.Client("op-ak", "op-sk");
  EXPECT_EQ(CallOk(op, "/v1/operator", "DescribeClock", boost::json::object()).status, 200);
}

TEST_F(SealingKeyTest, TheOfflineKeyCommandChecksTheKeyToo) {
  dir_.Write("other.key", std::string(64, '5') + "\n");
  ::chmod(dir_.File("other.key").c_str(), 0600);
  std::vector<std::string> args{"operator-key", "create", "--secret-key-file",
                                dir_.File("other.key")};
  for (const auto& flag : backend_.StoreFlags(dir_.File("data"))) args.push_back(flag);
  auto refused = RunCommand(args);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("--secret-key-file"), std::string::npos) << refused.output;
}

TEST_F(SealingKeyTest, ResetAndRestoreKeepTheRecordOfTheKey) {
  {
    ServerProcess server(Args({}));
    ASSERT_TRUE(server.started()) << server.output();
    auto op = server.Client("op-ak", "op-sk");
    EXPECT_EQ(CallOk(op, "/v1/operator", "SaveSnapshot", {{"name", "s"}}).status, 200);
    EXPECT_EQ(CallOk(op, "/v1/operator", "Reset", boost::json::object()).status, 200);
    EXPECT_EQ(CallOk(op, "/v1/operator", "RestoreSnapshot", {{"name", "s"}}).status, 200);
    ASSERT_EQ(server.Stop(), 0);
  }
  // The store still knows its key: the same key starts, another is refused.
  ServerProcess again(Args({}));
  ASSERT_TRUE(again.started()) << again.output();
  ASSERT_EQ(again.Stop(), 0);
  dir_.Write("other.key", std::string(64, '7') + "\n");
  ::chmod(dir_.File("other.key").c_str(), 0600);
  EXPECT_EQ(Serve({"--secret-key-file", dir_.File("other.key")}).exit_code, 1);
}

}  // namespace
}  // namespace cuplane::testing
