// Two cuplane servers on one database (issue 5): no oversell across processes, each timed
// transition applied exactly once although both schedulers run, and one server's death
// leaves the other serving.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

// 20 units; usage at 1,000 fen per second so that even a two-second run settles to money.
constexpr const char* kSharedBootstrap = R"({
  "operators": [{"accessKey": "op-ak", "secretKey": "op-sk"}],
  "prices": [{"type": "gpu-1", "prepaidPerUnitMonth": 1000, "postpaidPerUnitHour": 3600000}],
  "inventory": [{"region": "bj", "type": "gpu-1", "totalUnits": 20}],
  "accounts": [{"accountId": "acct-m", "name": "multi", "balance": 100000000000,
    "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
               "accessKeys": [{"accessKey": "m-ak", "secretKey": "m-sk"}]}],
    "services": [{"serviceId": "svc-m", "name": "multi", "region": "bj", "type": "gpu-1",
                  "unitsPerReplica": 1}]}]})";

class MultiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    CUPLANE_REQUIRE_DURABLE_STORE();
    dir_.Write("bootstrap.json", kSharedBootstrap);
    for (auto* server : {&a_, &b_}) {
      std::vector<std::string> args = backend_.StoreFlags(dir_.File("data"));
      for (const std::string& flag : {std::string("--bootstrap"), dir_.File("bootstrap.json"),
                                      std::string("--provision-delay"), std::string("0"),
                                      std::string("--write-rate"), std::string("0")}) {
        args.push_back(flag);
      }
      *server = std::make_unique<ServerProcess>(args);
      ASSERT_TRUE((*server)->started()) << (*server)->output();
      backend_.ExpectServedBy((*server)->output());
    }
  }

  TempDir dir_;
  TestBackend backend_;
  std::unique_ptr<ServerProcess> a_, b_;
};

TEST_F(MultiServerTest, NoOversellAndEachReleaseRunsOnceAcrossTwoServers) {
  std::atomic<int> ok{0}, sold_out{0}, other{0};
  std::mutex mutex;
  std::vector<std::string> bought;
  std::vector<std::thread> clients;
  for (int c = 0; c < 40; ++c) {
    clients.emplace_back([&, c] {
      auto client = (c % 2 ? a_ : b_)->Client("m-ak", "m-sk");
      json::object body = PostpaidPurchase("svc-m", 1);
      body["clientToken"] = "multi-" + std::to_string(c);
      auto r = client.Call("/v2/serviceresources", "PurchaseComputeUnit", body);
      if (r.ok() && r->status == 200) {
        ++ok;
        std::lock_guard lock(mutex);
        bought.emplace_back(ResultOf(*r).at("instanceId").as_string());
      } else if (r.ok() && ErrorCodeOf(*r) == "InsufficientInventory") {
        ++sold_out;
      } else {
        ++other;
        ADD_FAILURE() << (r.ok() ? r->body : r.error().message);
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(sold_out.load(), 20);
  EXPECT_EQ(other.load(), 0);
  auto op = a_->Client("op-ak", "op-sk");
  auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits"), 20);

  // Every unit released two seconds from now, scheduled through both servers.
  auto release_at = FormatUtc(SystemClock().Now() + 2);
  for (size_t i = 0; i < bought.size(); ++i) {
    auto client = (i % 2 ? a_ : b_)->Client("m-ak", "m-sk");
    auto r = CallOk(client, "/v2/computeunit", "AutoReleaseComputeUnit",
                    {{"instanceId", bought[i]}, {"releaseTime", release_at}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto client = b_->Client("m-ak", "m-sk");
  int released = 0;
  for (int attempt = 0; attempt < 300 && released < 20; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    released = 0;
    auto list = ResultOf(
        CallOk(client, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-m"}}));
    for (const auto& i : list.at("instances").as_array()) released += i.at("status") == "Deleted";
  }
  ASSERT_EQ(released, 20);

  // Each unit was billed from its start to its release exactly once: the account's postpaid
  // charges add up to its units' whole usage (1,000 fen per unit-second, so no rounding).
  std::int64_t usage = 0;
  for (const std::string& id : bought) {
    auto unit = ResultOf(CallOk(client, "/v2/computeunit", "DescribeComputeUnit",
                                {{"instanceId", id}}))
                    .at("computeUnitInstance");
    auto start = ParseRfc3339(std::string(unit.at("startTime").as_string()));
    ASSERT_TRUE(start.has_value()) << id;
    usage += 1000 * (*ParseRfc3339(release_at) - *start);
  }
  auto statement = ResultOf(
      CallOk(op, "/v1/operator", "DescribeAccount", {{"accountId", "acct-m"}, {"maxKeys", 1000}}));
  std::int64_t sum = 0, postpaid = 0;
  for (const auto& e : statement.at("ledger").as_array()) {
    sum += e.at("amount").as_int64();
    if (e.at("kind") == "postpaid") postpaid -= e.at("amount").as_int64();
  }
  EXPECT_EQ(statement.at("balance").as_int64(), sum);
  EXPECT_EQ(postpaid, usage) << "a release ran twice, or not at all";
  pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits"), 0);

  // One server dies; the other keeps serving.
  a_->Kill();
  auto after =
      CallOk(client, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-m", 1));
  EXPECT_EQ(after.status, 200) << after.body;
}

// SPEC §2 with the key cache of each server: a change counts on the next request to the
// server that made it, and on the other server within a second.
TEST_F(MultiServerTest, KeyAndPolicyChangesReachBothServersInTime) {
  auto op = a_->Client("op-ak", "op-sk");
  json::object user{{"accountId", "acct-m"}, {"userName", "admin"}};
  auto describe = [](ServerProcess& server, const std::string& ak, const std::string& sk) {
    auto client = server.Client(ak, sk);
    auto r = client.Call("/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-m"}});
    return r.ok() ? (r->status == 200 ? std::string("ok") : ErrorCodeOf(*r)) : r.error().message;
  };
  // How long server B takes to answer `expected` (polling every 20 ms, up to 3 s).
  auto seconds_until = [&](const std::string& ak, const std::string& sk,
                           const std::string& expected) {
    auto start = std::chrono::steady_clock::now();
    while (describe(*b_, ak, sk) != expected &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // Both servers know the key (and cache it).
  ASSERT_EQ(describe(*a_, "m-ak", "m-sk"), "ok");
  ASSERT_EQ(describe(*b_, "m-ak", "m-sk"), "ok");

  // A new key works at once on the server that made it.
  auto created = ResultOf(CallOk(op, "/v1/operator", "CreateAccessKey", user));
  std::string ak(created.at("accessKey").as_string()), sk(created.at("secretKey").as_string());
  EXPECT_EQ(describe(*a_, ak, sk), "ok");
  EXPECT_LT(seconds_until(ak, sk, "ok"), 1.5);

  // A detached policy.
  json::object full = user;
  full["policy"] = "QianfanFullControlAccessPolicy";
  ASSERT_EQ(CallOk(op, "/v1/operator", "DetachPolicy", full).status, 200);
  EXPECT_EQ(describe(*a_, ak, sk), "AccessDenied");
  EXPECT_LT(seconds_until(ak, sk, "AccessDenied"), 1.5);
  ASSERT_EQ(CallOk(op, "/v1/operator", "AttachPolicy", full).status, 200);
  EXPECT_EQ(describe(*a_, ak, sk), "ok");
  EXPECT_LT(seconds_until(ak, sk, "ok"), 1.5);

  // A disabled key.
  ASSERT_EQ(CallOk(op, "/v1/operator", "DisableAccessKey", {{"accessKey", ak}}).status, 200);
  EXPECT_EQ(describe(*a_, ak, sk), "InvalidAccessKeyId");
  EXPECT_LT(seconds_until(ak, sk, "InvalidAccessKeyId"), 1.5);
  EXPECT_EQ(describe(*a_, "m-ak", "m-sk"), "ok");
}

}  // namespace
}  // namespace cuplane::testing

namespace cuplane::testing {
namespace {

// SPEC §5.4: the virtual time is the database's. After AdvanceClock returns on one server,
// the other reports the new time and the units it moved on its very next request.
TEST(SharedVirtualClockTest, AdvanceOnOneServerCountsOnTheOtherAtOnce) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // two servers on one store
  CUPLANE_REQUIRE_BACKEND();
  TempDir dir;
  TestBackend backend;
  dir.Write("bootstrap.json", kBootstrapJson);
  std::vector<std::string> args = backend.StoreFlags(dir.File("data"));
  for (const std::string& flag : {std::string("--bootstrap"), dir.File("bootstrap.json"),
                                  std::string("--clock"), std::string("virtual"),
                                  std::string("--provision-delay"), std::string("0")}) {
    args.push_back(flag);
  }
  ServerProcess a(args), b(args);
  ASSERT_TRUE(a.started()) << a.output();
  ASSERT_TRUE(b.started()) << b.output();
  backend.ExpectServedBy(b.output());
  auto op_a = a.Client("op-ak", "op-sk");
  auto op_b = b.Client("op-ak", "op-sk");
  auto tenant_b = b.Client("a-admin", "a-admin-sk");
  auto now_on = [](client::ApiClient& op) {
    auto clock = ResultOf(CallOk(op, "/v1/operator", "DescribeClock", json::object()));
    return std::string(clock.at("now").as_string());
  };
  ASSERT_EQ(now_on(op_a), now_on(op_b));

  auto bought = CallOk(tenant_b, "/v2/serviceresources", "PurchaseComputeUnit",
                       PrepaidPurchase("svc-a", 1, 1));
  ASSERT_EQ(bought.status, 200) << bought.body;
  std::string id(ResultOf(bought).at("instanceId").as_string());

  for (int step = 0; step < 3; ++step) {
    // Forty days a step: the month-long reservation ends during the first.
    auto advanced = CallOk(op_a, "/v1/operator", "AdvanceClock", {{"seconds", 40 * 86400}});
    ASSERT_EQ(advanced.status, 200) << advanced.body;
    std::string reached(ResultOf(advanced).at("now").as_string());
    EXPECT_EQ(now_on(op_b), reached) << "step " << step;
    auto unit = ResultOf(
        CallOk(tenant_b, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}}));
    EXPECT_NE(unit.at("computeUnitInstance").at("status"), "Running") << unit;
  }
  // And the other way round: B advances, A sees it.
  auto advanced = CallOk(op_b, "/v1/operator", "AdvanceClock", {{"seconds", 3600}});
  ASSERT_EQ(advanced.status, 200) << advanced.body;
  EXPECT_EQ(now_on(op_a), std::string(ResultOf(advanced).at("now").as_string()));
  // A write on A is stamped with the shared time.
  auto topped = CallOk(op_a, "/v1/operator", "TopUpBalance", {{"accountId", "acct-b"}, {"amount", 7}});
  ASSERT_EQ(topped.status, 200) << topped.body;
  auto account = ResultOf(CallOk(op_a, "/v1/operator", "DescribeAccount", {{"accountId", "acct-b"}}));
  EXPECT_EQ(account.at("ledger").as_array().at(0).at("time"), ResultOf(advanced).at("now"))
      << account;
}

}  // namespace
}  // namespace cuplane::testing
