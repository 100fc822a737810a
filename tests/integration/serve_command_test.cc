// `cuplane serve` as an operator meets it: the first-start demo, flag errors, bootstrap
// validation, graceful stop, and transitions that fell due while the server was down.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

// The demo key pair a server printed buys a unit on the demo service.
void ExpectPrintedDemoKeyBuys(const ServerProcess& server) {
  std::string out = server.output();
  auto client = server.Client(PrintedValue(out, "QIANFAN_ACCESS_KEY="),
                              PrintedValue(out, "QIANFAN_SECRET_KEY="));
  auto r = CallOk(client, "/v2/serviceresources", "PurchaseComputeUnit",
                  PostpaidPurchase("svco-demo", 1));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(ServeCommandTest, FirstStartCreatesTheDemoAndPrintsSdkEnvironmentLines) {
  CUPLANE_REQUIRE_BACKEND();
  CUPLANE_REQUIRE_DURABLE_STORE();
  TempDir dir;
  TestBackend backend;
  ServerProcess server(backend.StoreFlags(dir.File("data")));
  ASSERT_TRUE(server.started()) << server.output();
  std::string out = server.output();
  for (const char* line : {"export QIANFAN_ACCESS_KEY=", "export QIANFAN_SECRET_KEY=",
                           "export QIANFAN_CONSOLE_API_BASE_URL=http://127.0.0.1:"}) {
    EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << out;
  }
  ExpectPrintedDemoKeyBuys(server);
  auto value_of = [&](const std::string& key) { return PrintedValue(out, key); };
  auto client = server.Client(value_of("QIANFAN_ACCESS_KEY="), value_of("QIANFAN_SECRET_KEY="));

  // The console's address is printed beside them, and it serves the page.
  EXPECT_NE(out.find("/console/"), std::string::npos) << out;
  client::RawRequest page;
  page.method = "GET";
  page.target = "/console/";
  auto html = client.Send(page);
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("js/app.js"), std::string::npos);
  EXPECT_NE(html->Header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(server.Stop(), 0);

  // A restart keeps the same demo and prints the same key again.
  ServerProcess again(backend.StoreFlags(dir.File("data")));
  ASSERT_TRUE(again.started());
  EXPECT_NE(again.output().find(value_of("QIANFAN_ACCESS_KEY=")), std::string::npos);
}

// What a test fixture relies on: `--listen 127.0.0.1:0` takes a free port and says which on
// one line, once, after it serves; `--store memory` writes no file, and keeps nothing.
TEST(ServeCommandTest, MemoryStoreOnPortZeroPrintsOneListeningLineAndWritesNothing) {
  TempDir dir;
  std::string data = dir.File("data");
  std::vector<std::string> args{"--store", "memory", "--data-dir", data, "--clock", "virtual"};
  ServerProcess server(args);
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_NE(server.port(), 0);
  std::string out = server.output();
  std::regex line("(^|\n)cuplane listening on http://127\\.0\\.0\\.1:" +
                  std::to_string(server.port()) + " \\(store memory, clock virtual\\)\n");
  EXPECT_TRUE(std::regex_search(out, line)) << out;
  auto first = out.find("cuplane listening on");
  EXPECT_EQ(out.find("cuplane listening on", first + 1), std::string::npos) << out;
  // The demo's key pair is printed, and it buys at once: the server serves.
  ExpectPrintedDemoKeyBuys(server);
  // Reset recreates the demo with the keys that were printed.
  auto op = server.Client(PrintedValue(out, "CUPLANE_ACCESS_KEY="),
                          PrintedValue(out, "CUPLANE_SECRET_KEY="));
  auto reset = CallOk(op, "/v1/operator", "Reset", json::object());
  EXPECT_EQ(reset.status, 200) << reset.body;
  auto tenant = server.Client(PrintedValue(out, "QIANFAN_ACCESS_KEY="),
                              PrintedValue(out, "QIANFAN_SECRET_KEY="));
  auto units = CallOk(tenant, "/v2/serviceresources", "DescribeComputeUnits",
                      {{"serviceId", "svco-demo"}});
  EXPECT_TRUE(ResultOf(units).at("instances").as_array().empty()) << units.body;
  ExpectPrintedDemoKeyBuys(server);
  auto value_of = [&](const std::string& key) { return PrintedValue(out, key); };
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(data)) << "the memory store wrote into " << data;

  ServerProcess again(args);  // a new process: a new, empty store with a new demo key
  ASSERT_TRUE(again.started()) << again.output();
  EXPECT_EQ(again.output().find(value_of("QIANFAN_ACCESS_KEY=")), std::string::npos);
}

TEST(ServeCommandTest, BadFlagsAreRefusedWithAMessage) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string mentions;
  };
  for (const Case& c :
       {Case{{"--clock", "sundial"}, "--clock"}, Case{{"--listen", "nowhere"}, "--listen"},
        Case{{"--provision-delay", "soon"}, "--provision-delay"},
        Case{{"--local-offset", "8"}, "--local-offset"}, Case{{"--store", "mysql://x"}, "--store"},
        Case{{"--no-such-flag"}, "no-such-flag"}}) {
    std::vector<std::string> args{"serve", "--data-dir", dir.File("data")};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto result = RunCommand(args);
    EXPECT_NE(result.exit_code, 0) << c.mentions;
    EXPECT_NE(result.output.find(c.mentions), std::string::npos) << result.output;
  }
}

TEST(ServeCommandTest, InvalidBootstrapIsRefusedNamingTheField) {
  TempDir dir;
  dir.Write("bad.json", R"({"accounts": [{"accountId": "x", "name": "x",
      "users": [{"name": "u", "policies": ["NoSuchPolicy"]}]}]})");
  auto result = RunCommand({"serve", "--data-dir", dir.File("data"), "--bootstrap",
                            dir.File("bad.json"), "--listen", "127.0.0.1:0"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("accounts[0].users[0].policies[0]"), std::string::npos)
      << result.output;
}

// A refused file changes nothing: the operator key, pool and account before the error are not
// created.
TEST(ServeCommandTest, ARefusedBootstrapAppliesNothing) {
  CUPLANE_REQUIRE_BACKEND();
  TempDir dir;
  TestBackend backend;
  dir.Write("bootstrap.json", kBootstrapJson);
  std::vector<std::string> args = backend.StoreFlags(dir.File("data"));
  args.push_back("--bootstrap");
  {
    std::vector<std::string> first = args;
    first.push_back(dir.File("bootstrap.json"));
    ServerProcess server(first);
    ASSERT_TRUE(server.started()) << server.output();
    ASSERT_EQ(server.Stop(), 0);
  }
  dir.Write("refused.json", R"({
    "operators": [{"accessKey": "op-new", "secretKey": "op-new-sk"}],
    "inventory": [{"region": "gz", "type": "cpu", "totalUnits": 5}],
    "accounts": [
      {"accountId": "acct-new", "name": "new", "balance": 5000},
      {"accountId": "acct-new2", "name": "new2", "balanse": 5000}]})");
  std::vector<std::string> refused_args{"serve", "--listen", "127.0.0.1:0"};
  refused_args.insert(refused_args.end(), args.begin(), args.end());
  refused_args.push_back(dir.File("refused.json"));
  auto refused = RunCommand(refused_args);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("bootstrap file refused: accounts[1].balanse is not a known field"),
            std::string::npos)
      << refused.output;

  std::vector<std::string> again_args = args;
  again_args.push_back(dir.File("bootstrap.json"));
  ServerProcess again(again_args);
  ASSERT_TRUE(again.started()) << again.output();
  auto op = again.Client("op-ak", "op-sk");
  auto account = CallOk(op, "/v1/operator", "DescribeAccount", {{"accountId", "acct-new"}});
  EXPECT_EQ(ErrorCodeOf(account), "ResourceNotFound") << account.body;
  auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().size(), 1u) << pools;
  auto as_new_operator = again.Client("op-new", "op-new-sk");
  auto denied = CallOk(as_new_operator, "/v1/operator", "DescribeClock", json::object());
  EXPECT_EQ(ErrorCodeOf(denied), "InvalidAccessKeyId") << denied.body;
}

TEST(ServeCommandTest, TransitionDueWhileDownRunsExactlyOnceAfterRestart) {
  CUPLANE_REQUIRE_BACKEND();
  CUPLANE_REQUIRE_DURABLE_STORE();
  TempDir dir;
  TestBackend backend;
  dir.Write("bootstrap.json", kBootstrapJson);
  std::vector<std::string> args = backend.StoreFlags(dir.File("data"));
  for (const std::string& flag : {std::string("--bootstrap"), dir.File("bootstrap.json"),
                                  std::string("--provision-delay"), std::string("0")}) {
    args.push_back(flag);
  }
  auto server = std::make_unique<ServerProcess>(args);
  ASSERT_TRUE(server->started()) << server->output();
  auto admin = server->Client("a-admin", "a-admin-sk");
  auto bought =
      CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-a", 1));
  std::string id(ResultOf(bought).at("instanceId").as_string());
  // Release two seconds from now, then crash before it is due.
  auto release_at = FormatUtc(SystemClock().Now() + 2);
  auto set = CallOk(admin, "/v2/computeunit", "AutoReleaseComputeUnit",
                    {{"instanceId", id}, {"releaseTime", release_at}});
  ASSERT_EQ(set.status, 200) << set.body;
  server->Kill();
  std::this_thread::sleep_for(std::chrono::seconds(3));

  server = std::make_unique<ServerProcess>(args);
  ASSERT_TRUE(server->started()) << server->output();
  auto client = server->Client("a-admin", "a-admin-sk");
  std::string status;
  for (int i = 0; i < 100 && status != "Released"; ++i) {
    auto r = CallOk(client, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}});
    status = std::string(ResultOf(r).at("computeUnitInstance").at("status").as_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, "Released");
  auto op = server->Client("op-ak", "op-sk");
  auto account = ResultOf(CallOk(op, "/v1/operator", "DescribeAccount", {{"accountId", "acct-a"}}));
  int settlements = 0;
  for (const auto& e : account.at("ledger").as_array()) {
    if (e.at("kind") == "postpaid") ++settlements;
  }
  EXPECT_LE(settlements, 1);  // at most one final settlement (none if it cost under 1 fen)
  auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits"), 0);
}

}  // namespace
}  // namespace cuplane::testing

namespace cuplane::testing {
namespace {

TEST(OperatorKeyCommandTest, MintsAKeyOfflineThatTheServerThenAccepts) {
  CUPLANE_REQUIRE_BACKEND();
  CUPLANE_REQUIRE_DURABLE_STORE();
  TempDir dir;
  TestBackend backend;
  std::vector<std::string> args{"operator-key", "create", "--json"};
  for (const auto& flag : backend.StoreFlags(dir.File("data"))) args.push_back(flag);
  auto created = RunCommand(args);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  auto key = boost::json::parse(created.output.substr(created.output.find('{')));
  std::string ak(key.at("accessKey").as_string()), sk(key.at("secretKey").as_string());

  ServerProcess server(backend.StoreFlags(dir.File("data")));
  ASSERT_TRUE(server.started()) << server.output();
  auto op = server.Client(ak, sk);
  auto clock = CallOk(op, "/v1/operator", "DescribeClock", boost::json::object());
  EXPECT_EQ(clock.status, 200) << clock.body;
  auto as_tenant = CallOk(op, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", "unit-x"}});
  EXPECT_EQ(ErrorCodeOf(as_tenant), "AccessDenied");
}

}  // namespace
}  // namespace cuplane::testing
