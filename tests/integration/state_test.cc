// The whole state at once over HTTP (SPEC §6): Reset between tests and named snapshots, on
// every store, while other requests run, and (PostgreSQL) with two servers on one database.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

constexpr const char* kAccounts[] = {"acct-a", "acct-b", "acct-poor", "acct-r"};
constexpr const char* kServices[][2] = {
    {"a-admin", "svc-a"}, {"b-admin", "svc-b"}, {"p-admin", "svc-p"}, {"r-admin", "svc-r"}};

class StateTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock",      "virtual", "--provision-delay",   "0",
            "--write-rate", "0",       "--settlement-period", "1d"};
  }

  // Everything a client can see of the state: clock, pools, prices, every bootstrap account
  // with its whole ledger, services, and every unit of each service.
  json::object View() {
    json::object view{{"clock", OpResult("DescribeClock")},
                      {"inventory", OpResult("DescribeInventory")},
                      {"prices", OpResult("DescribePrices")}};
    for (const char* account : kAccounts) {
      view[std::string("account ") + account] =
          OpResult("DescribeAccount", {{"accountId", account}, {"maxKeys", 1000}});
      view[std::string("services ") + account] =
          OpResult("DescribeServices", {{"accountId", account}});
    }
    for (const auto& [ak, service] : kServices) {
      auto c = Client(ak, std::string(ak) + "-sk");
      auto r = CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", service}});
      EXPECT_EQ(r.status, 200) << r.body;
      view[std::string("units ") + service] = ResultOf(r);
    }
    return view;
  }

  json::object Snapshot(const std::string& name) {
    json::value listed = OpResult("DescribeSnapshots");  // outlives the loop
    for (const auto& s : listed.at("snapshots").as_array()) {
      if (s.at("name") == name.c_str()) return s.as_object();
    }
    ADD_FAILURE() << "no snapshot " << name;
    return {};
  }

  // Changes something in every part of the state a client can reach.
  void ChangeEverything() {
    Buy(PrepaidPurchase("svc-a", 1, 1, true, 1));
    Buy(PostpaidPurchase("svc-b", 2), "b-admin");
    OpResult("CreateAccount", {{"name", "newco"}, {"accountId", "acct-new"}, {"balance", 500}});
    OpResult("CreateUser",
             {{"accountId", "acct-new"}, {"name", "dev"}, {"policies", json::array()}});
    auto key = OpResult("CreateAccessKey", {{"accountId", "acct-new"}, {"userName", "dev"}});
    new_key_ = {std::string(key.at("accessKey").as_string()),
                std::string(key.at("secretKey").as_string())};
    auto dev = Client(new_key_.first, new_key_.second);  // used, so the server caches it
    EXPECT_EQ(ErrorCodeOf(CallOk(dev, "/v2/computeunit", "DescribeComputeUnit",
                                 {{"instanceId", "unit-x"}})),
              "AccessDenied");
    OpResult("CreateService", {{"accountId", "acct-a"},
                               {"name", "extra"},
                               {"region", "bj"},
                               {"type", "gpu-1"},
                               {"unitsPerReplica", 1}});
    OpResult("TopUpBalance", {{"accountId", "acct-poor"}, {"amount", 12345}});
    OpResult("SetInventory", {{"region", "gz"}, {"type", "gpu-2"}, {"totalUnits", 8}});
    OpResult("SetPrice",
             {{"type", "gpu-1"}, {"prepaidPerUnitMonth", 1}, {"postpaidPerUnitHour", 1}});
    OpResult("DisableAccessKey", {{"accessKey", "a-ops"}});
    OpResult("AdvanceClock", {{"seconds", 7200}});
  }

  std::pair<std::string, std::string> new_key_;  // made by ChangeEverything
};

TEST_F(StateTest, ResetPutsBackTheBootstrapStateClockIncludedAndKeepsOperatorKeys) {
  json::object fresh = View();
  ChangeEverything();
  ASSERT_NE(View(), fresh);

  EXPECT_EQ(OpResult("Reset"), true);  // by an operator key, which still works afterwards
  EXPECT_EQ(View(), fresh);
  EXPECT_EQ(ErrorCodeOf(Op("DescribeAccount", {{"accountId", "acct-new"}})), "ResourceNotFound");
  // The disabled bootstrap key is back; the key made since is gone, at once.
  auto dev = Client(new_key_.first, new_key_.second);
  EXPECT_EQ(ErrorCodeOf(CallOk(dev, "/v2/computeunit", "DescribeComputeUnit",
                               {{"instanceId", "unit-x"}})),
            "InvalidAccessKeyId");
  auto ops = Client("a-ops", "a-ops-sk");
  EXPECT_EQ(
      CallOk(ops, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}}).status,
      200);
  // And the fresh state works: the whole pool can be bought again.
  Buy(PostpaidPurchase("svc-a", 10));
  EXPECT_EQ(OpResult("DescribeInventory").at("pools").at(0).at("allocatedUnits"), 20);
}

TEST_F(StateTest, ResetTwiceOrRightAfterStartLeavesTheSameNumberOfRows) {
  OpResult("SaveSnapshot", {{"name", "start"}});
  ChangeEverything();
  OpResult("Reset");
  OpResult("Reset");
  OpResult("SaveSnapshot", {{"name", "reset"}});
  // Not the digest: secret keys are sealed again, with fresh nonces.
  EXPECT_EQ(Snapshot("reset").at("rows"), Snapshot("start").at("rows"));
}

TEST_F(StateTest, RestorePutsBackEveryRowAndTheClockAndTheScheduleRunsOnFromThere) {
  std::string prepaid = Buy(PrepaidPurchase("svc-b", 1, 1, true, 1), "b-admin");
  Buy(PostpaidPurchase("svc-a", 1));
  OpResult("AdvanceClock", {{"seconds", 2 * 86400}});  // two postpaid settlements
  // View first: its DescribeAccount settles at once (§5.3), a ledger entry the snapshot must hold.
  json::object saved = View();
  EXPECT_EQ(OpResult("SaveSnapshot", {{"name", "two-hours"}}), true);
  json::object info = Snapshot("two-hours");
  EXPECT_EQ(info.at("savedAt"), saved.at("clock").at("now"));
  EXPECT_GT(info.at("rows").as_int64(), 20);

  ChangeEverything();
  OpResult("AdvanceClock", {{"seconds", 40 * 86400}});  // renewals, settlements, arrears
  ASSERT_NE(View(), saved);

  EXPECT_EQ(OpResult("RestoreSnapshot", {{"name", "two-hours"}}), true);
  EXPECT_EQ(View(), saved);
  OpResult("SaveSnapshot", {{"name", "restored"}});
  EXPECT_EQ(Snapshot("restored").at("digest"), info.at("digest"));  // every row, exactly
  EXPECT_EQ(Snapshot("restored").at("rows"), info.at("rows"));

  // The scheduled renewal came back with the rest: a month on, it runs.
  OpResult("AdvanceClock", {{"seconds", 31 * 86400}});
  int renewals = 0;
  auto account = OpResult("DescribeAccount", {{"accountId", "acct-b"}, {"maxKeys", 1000}});
  for (const auto& e : account.at("ledger").as_array()) renewals += e.at("kind") == "renewal";
  EXPECT_EQ(renewals, 1);
  auto b = Client("b-admin", "b-admin-sk");
  auto unit =
      ResultOf(CallOk(b, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", prepaid}}));
  EXPECT_EQ(unit.at("computeUnitInstance").at("status"), "Running");
}

TEST_F(StateTest, SnapshotsAreListedByNameReplacedByNameAndRefusedWithTheSpecCodes) {
  OpResult("SaveSnapshot", {{"name", "b"}});
  Buy(PostpaidPurchase("svc-a", 1));
  OpResult("AdvanceClock", {{"seconds", 1}});  // provisioned now: nothing due runs meanwhile
  OpResult("SaveSnapshot", {{"name", "a"}});
  json::object first_b = Snapshot("b");
  OpResult("SaveSnapshot", {{"name", "b"}});  // replaces
  auto list = OpResult("DescribeSnapshots").at("snapshots").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name"), "a");
  EXPECT_EQ(list[1].at("name"), "b");
  EXPECT_NE(list[1].at("rows"), first_b.at("rows"));
  EXPECT_EQ(list[1].at("digest"), list[0].at("digest"));  // nothing changed in between

  EXPECT_EQ(ErrorCodeOf(Op("RestoreSnapshot", {{"name", "nope"}})), "ResourceNotFound");
  EXPECT_EQ(ErrorCodeOf(Op("SaveSnapshot", json::object())), "InvalidParameter");
  EXPECT_EQ(ErrorCodeOf(Op("SaveSnapshot", {{"name", "no spaces"}})), "InvalidParameter");
  EXPECT_EQ(ErrorCodeOf(Op("SaveSnapshot", {{"name", 7}})), "InvalidParameter");
  EXPECT_EQ(OpResult("DeleteSnapshot", {{"name", "a"}}), true);
  EXPECT_EQ(ErrorCodeOf(Op("RestoreSnapshot", {{"name", "a"}})), "ResourceNotFound");
  EXPECT_EQ(ErrorCodeOf(Op("DeleteSnapshot", {{"name", "a"}})), "ResourceNotFound");
  auto tenant = Admin();
  for (const char* action : {"Reset", "SaveSnapshot", "RestoreSnapshot", "DescribeSnapshots"}) {
    EXPECT_EQ(ErrorCodeOf(CallOk(tenant, "/v1/operator", action, {{"name", "b"}})), "AccessDenied")
        << action;
  }
}

// Purchases run flat out (on a second server when the store is PostgreSQL) while Resets and
// Restores land among them; every request sees one state or the other, so the books balance
// afterwards: each balance is the sum of its ledger and each pool holds exactly its live units.
TEST_F(StateTest, ResetAndRestoreAmidPurchasesNeverLeaveAMix) {
  std::unique_ptr<ServerProcess> second;
  if (backend_.is_postgres()) {
    std::vector<std::string> args = backend_.StoreFlags(dir_.File("data"));
    for (const std::string& flag : {std::string("--bootstrap"), dir_.File("bootstrap.json")}) {
      args.push_back(flag);
    }
    for (const auto& a : ExtraArgs()) args.push_back(a);
    second = std::make_unique<ServerProcess>(args);
    ASSERT_TRUE(second->started()) << second->output();
  }
  ServerProcess& buyers_server = second ? *second : *server_;
  OpResult("SaveSnapshot", {{"name", "empty"}});
  std::atomic<bool> stop{false};
  std::atomic<int> bought{0};
  std::vector<std::thread> buyers;
  for (int t = 0; t < 4; ++t) {
    buyers.emplace_back([&, t] {
      std::string ak = t % 2 ? "a-admin" : "b-admin";
      auto c = buyers_server.Client(ak, ak + "-sk");
      while (!stop.load()) {
        auto r = c.Call("/v2/serviceresources", "PurchaseComputeUnit",
                        PostpaidPurchase(t % 2 ? "svc-a" : "svc-b", 1));
        if (r.ok() && r->status == 200) ++bought;
      }
    });
  }
  for (int i = 0; i < 12; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(i % 3 == 2 ? OpResult("RestoreSnapshot", {{"name", "empty"}}) : OpResult("Reset"),
              true);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  stop = true;
  for (auto& t : buyers) t.join();
  EXPECT_GT(bought.load(), 0);

  ExpectInvariants();
}

}  // namespace
}  // namespace cuplane::testing
