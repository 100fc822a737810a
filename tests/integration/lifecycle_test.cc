// Lifecycle on the virtual clock over HTTP (SPEC §5): expiry, renewal, release, arrears, and
// restarts between purchase and the transitions, with the invariants checked through the
// operator API after each.
#include <gtest/gtest.h>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

class LifecycleTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1s"};
  }

  json::object Unit(const std::string& id, const std::string& ak = "a-admin") {
    auto c = Client(ak, ak + "-sk");
    auto r = CallOk(c, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? result.at("computeUnitInstance").as_object() : json::object();
  }

  std::string Advance(std::int64_t seconds) {
    auto op = Operator();
    auto r = CallOk(op, "/v1/operator", "AdvanceClock", {{"seconds", seconds}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? std::string(result.at("now").as_string()) : "";
  }

  json::object Account(const std::string& id) {
    auto op = Operator();
    auto r = CallOk(op, "/v1/operator", "DescribeAccount", {{"accountId", id}, {"maxKeys", 1000}});
    EXPECT_EQ(r.status, 200) << r.body;
    return ResultOf(r).as_object();
  }

  // balance == sum(ledger), and the pool holds exactly the units of live instances.
  void ExpectInvariants(std::int64_t live_units) {
    for (const char* id : {"acct-a", "acct-b", "acct-poor", "acct-r"}) {
      auto account = Account(id);
      std::int64_t sum = 0;
      for (const auto& e : account.at("ledger").as_array()) sum += e.at("amount").as_int64();
      EXPECT_EQ(account.at("balance").as_int64(), sum) << id;
    }
    auto op = Operator();
    auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
    EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits"), live_units);
  }

  std::vector<std::string> LedgerKinds(const std::string& account) {
    std::vector<std::string> kinds;
    json::object statement = Account(account);
    for (const auto& e : statement.at("ledger").as_array()) {
      kinds.emplace_back(e.at("kind").as_string());
    }
    return kinds;
  }
};

TEST_F(LifecycleTest, ClockIsVirtualAndRefusesToGoBackwards) {
  auto op = Operator();
  auto clock = ResultOf(CallOk(op, "/v1/operator", "DescribeClock", json::object()));
  EXPECT_EQ(clock.at("mode"), "virtual");
  auto back = CallOk(op, "/v1/operator", "AdvanceClock", {{"to", "2000-01-01T00:00:00Z"}});
  EXPECT_EQ(ErrorCodeOf(back), "InvalidParameter");
  auto zero = CallOk(op, "/v1/operator", "AdvanceClock", {{"seconds", 0}});
  EXPECT_EQ(ErrorCodeOf(zero), "InvalidParameter");
}

TEST_F(LifecycleTest, PrepaidUnitRunsThenExpiresAndReturnsItsUnits) {
  std::string id = Buy(PrepaidPurchase("svc-a", 2, 1));
  EXPECT_EQ(Unit(id).at("status"), "Creating");
  ExpectInvariants(4);
  Advance(1);
  auto running = Unit(id);
  EXPECT_EQ(running.at("status"), "Running");
  Advance(31 * 86400);
  auto gone = Unit(id);
  EXPECT_EQ(gone.at("status"), "Released");
  EXPECT_EQ(gone.at("usedComputeUnits"), 0);
  auto c = Admin();
  auto list =
      ResultOf(CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}}));
  EXPECT_EQ(list.at("instances").as_array().at(0).at("status"), "Deleted");
  ExpectInvariants(0);
  EXPECT_EQ(Account("acct-a").at("balance"), 100000000 - 300000 * 4);
  Advance(8 * 86400);  // past the 7-day list retention
  list =
      ResultOf(CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", "svc-a"}}));
  EXPECT_TRUE(list.at("instances").as_array().empty());
  EXPECT_EQ(Unit(id).at("status"), "Released");  // still describable
}

TEST_F(LifecycleTest, AutoRenewChargesEachRenewalAndKeepsRunning) {
  // acct-b holds 1,000,000 yuan: plenty for two renewals of one unit at 3,000 yuan.
  std::string id = Buy(PrepaidPurchase("svc-b", 1, 1, true, 1), "b-admin");
  Advance(1);
  auto start = Unit(id, "b-admin").at("startTime");
  Advance(62 * 86400);  // two month boundaries
  auto unit = Unit(id, "b-admin");
  EXPECT_EQ(unit.at("status"), "Running");
  auto kinds = LedgerKinds("acct-b");
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "renewal"), 2);
  ExpectInvariants(1);
  EXPECT_EQ(Account("acct-b").at("balance"), 100000000 - 3 * 300000);
  EXPECT_NE(unit.at("startTime"), nullptr);
  EXPECT_EQ(unit.at("startTime"), start);
}

TEST_F(LifecycleTest, ARenewalTheBalanceCannotPayReleasesTheUnit) {
  std::string id = Buy(PrepaidPurchase("svc-r", 1, 1, true, 1), "r-admin");  // takes it all
  Advance(1);
  Advance(31 * 86400);
  EXPECT_EQ(Unit(id, "r-admin").at("status"), "Released");
  auto kinds = LedgerKinds("acct-r");
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "renewal"), 0);
  EXPECT_EQ(Account("acct-r").at("balance"), 0);
  ExpectInvariants(0);
}

TEST_F(LifecycleTest, PostpaidScheduledReleaseSettlesOnce) {
  std::string id = Buy(PostpaidPurchase("svc-a", 1));  // 2 units at 500 fen/unit-hour
  Advance(1);
  auto op = Operator();
  auto now = ResultOf(CallOk(op, "/v1/operator", "DescribeClock", json::object())).at("now");
  auto c = Admin();
  // Release 90 minutes from now.
  auto t = ParseRfc3339(std::string(now.as_string()));
  ASSERT_TRUE(t.has_value());
  auto r = CallOk(c, "/v2/computeunit", "AutoReleaseComputeUnit",
                  {{"instanceId", id}, {"releaseTime", FormatUtc(*t + 5400)}});
  ASSERT_EQ(r.status, 200) << r.body;
  Advance(3 * 3600);
  EXPECT_EQ(Unit(id).at("status"), "Released");
  // 2 units × 500 fen × 1.5 h = 1500 fen, in one hourly settlement and one at release.
  auto account = Account("acct-a");
  EXPECT_EQ(account.at("balance"), 100000000 - 1500);
  ExpectInvariants(0);
}

TEST_F(LifecycleTest, ArrearsReleasePostpaidUnitsAfterTheGracePeriod) {
  // acct-poor: 1000 fen; one unit at 500 fen/hour lasts two hours.
  std::string id = Buy(PostpaidPurchase("svc-p", 1), "p-admin");
  Advance(1);
  Advance(3 * 3600);
  EXPECT_TRUE(Account("acct-poor").at("inArrears").as_bool());
  EXPECT_EQ(Unit(id, "p-admin").at("status"), "Running");
  Advance(25 * 3600);
  EXPECT_EQ(Unit(id, "p-admin").at("status"), "Released");
  ExpectInvariants(0);
}

TEST_F(LifecycleTest, RestartBetweenPurchaseAndExpiryLosesNothing) {
  CUPLANE_REQUIRE_DURABLE_STORE();
  std::string id = Buy(PrepaidPurchase("svc-a", 1, 1));
  Advance(1);
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  EXPECT_EQ(Unit(id).at("status"), "Running");
  Advance(31 * 86400);
  EXPECT_EQ(Unit(id).at("status"), "Released");
  ExpectInvariants(0);
  // The bootstrap applied again at restart did not reset the balance.
  EXPECT_EQ(Account("acct-a").at("balance"), 100000000 - 600000);
}

TEST_F(LifecycleTest, VirtualTimeSurvivesARestart) {
  CUPLANE_REQUIRE_DURABLE_STORE();
  std::string before = Advance(86400);
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  auto op = Operator();
  auto clock = ResultOf(CallOk(op, "/v1/operator", "DescribeClock", json::object()));
  EXPECT_EQ(clock.at("now"), before.c_str());
}

}  // namespace
}  // namespace cuplane::testing
