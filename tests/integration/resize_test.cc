// ResizeComputeUnit over HTTP against the real binary on the virtual clock, on every store:
// each guard in the documented error order, what growth and shrink hold, bill and (Prepaid)
// charge or refund, the reconfigure fault's rollback, clientToken replays, release and expiry
// while Reconfiguring, tenancy and policies; the money and capacity invariants after each test.
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCU = "/v2/computeunit";
constexpr const char* kCharge = "/v2/charge";
constexpr std::int64_t kPrepaidPrice = 300000;  // fen per unit-month, as bootstrapped
constexpr std::int64_t kPostpaidPrice = 500;    // fen per unit-hour
constexpr std::int64_t kDay = 86400;

// price × units × months × remaining / term, rounded up (a charge) or down (a refund): the
// formula of the API documentation, computed here independently of the server.
std::int64_t Prorated(std::int64_t units, std::int64_t months, std::int64_t remaining,
                      std::int64_t term, bool round_up) {
  __int128 n = static_cast<__int128>(kPrepaidPrice) * units * months * remaining;
  __int128 q = n / term;
  return static_cast<std::int64_t>(round_up && n % term != 0 ? q + 1 : q);
}

class ResizeTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1s", "--deploy-delay", "1s"};
  }
  void TearDown() override {
    if (server_ && server_->started()) ExpectInvariants();
  }

  client::HttpResponse Call(std::string_view path, std::string_view action,
                            const json::value& body, const std::string& ak) {
    auto c = Client(ak, ak + "-sk");
    return CallOk(c, path, action, body);
  }
  json::value Ok(std::string_view path, std::string_view action, const json::value& body,
                 const std::string& ak = "a-admin") {
    auto r = Call(path, action, body, ak);
    EXPECT_EQ(r.status, 200) << action << " " << r.body;
    return ResultOf(r);
  }
  // The error code of a resize that must fail; its message must contain `needle`.
  std::string Refused(const std::string& id, const json::value& count,
                      const std::string& ak = "a-admin", const std::string& needle = "") {
    auto r = Call(kCU, "ResizeComputeUnit", json::object{{"instanceId", id}, {"count", count}}, ak);
    EXPECT_NE(r.status, 200) << r.body;
    if (!needle.empty()) {
      EXPECT_NE(r.body.find(needle), std::string::npos) << r.body;
    }
    return ErrorCodeOf(r);
  }
  json::object Resize(const std::string& id, std::int64_t count,
                      const std::string& ak = "a-admin") {
    auto r = Ok(kCU, "ResizeComputeUnit", {{"instanceId", id}, {"count", count}}, ak);
    if (!r.is_object()) return {};
    EXPECT_EQ(r.at("instanceId"), id.c_str());
    std::string order(r.at("orderId").as_string());
    EXPECT_EQ(order.rfind("ord-", 0), 0u);
    EXPECT_EQ(order.size(), 20u);
    return r.as_object();
  }

  // A unit not tied to a service, in bj, bought by `ak`.
  std::string BuyUnits(int count, const std::string& timing = "Postpaid",
                       const std::string& ak = "a-admin", bool auto_renew = false) {
    json::object billing{{"paymentTiming", timing}};
    if (timing == "Prepaid") {
      billing["reservation"] = {{"reservationTimeUnit", "Month"},
                                {"reservationLength", 1},
                                {"autoRenew", auto_renew},
                                {"autoRenewTime", 1}};
    }
    auto r = Ok(kCU, "PurchaseComputeUnit",
                {{"computeUnitCount", count},
                 {"computeUnitConfig", {{"type", "gpu-1"}, {"region", "bj"}}},
                 {"billing", billing}},
                ak);
    return r.is_object() ? std::string(r.at("instanceId").as_string()) : "";
  }

  json::object Unit(const std::string& id, const std::string& ak = "a-admin") {
    auto r = Ok(kCU, "DescribeComputeUnit", {{"instanceId", id}}, ak);
    return r.is_object() ? r.at("computeUnitInstance").as_object() : json::object();
  }
  std::string Status(const std::string& id, const std::string& ak = "a-admin") {
    return std::string(Unit(id, ak).at("status").as_string());
  }
  std::int64_t Total(const std::string& id, const std::string& ak = "a-admin") {
    return Unit(id, ak).at("totalComputeUnits").as_int64();
  }
  UnixSeconds TimeOf(const json::object& unit, const char* key) {
    return ParseRfc3339(std::string(unit.at(key).as_string())).value_or(0);
  }

  std::int64_t Allocated() {
    auto pools = OpResult("DescribeInventory").at("pools").as_array();
    for (const auto& p : pools) {
      if (p.at("region") == "bj" && p.at("type") == "gpu-1") return p.at("allocatedUnits").as_int64();
    }
    return -1;
  }
  UnixSeconds Now() {
    return ParseRfc3339(std::string(OpResult("DescribeClock").at("now").as_string())).value_or(0);
  }
  void Advance(std::int64_t seconds) { OpResult("AdvanceClock", {{"seconds", seconds}}); }
  void AdvanceTo(UnixSeconds t) { OpResult("AdvanceClock", {{"to", FormatUtc(t)}}); }

  // The account's ledger, newest first.
  json::array Ledger(const std::string& account = "acct-a") {
    auto op = Operator();
    return FullLedger(op, account, nullptr);
  }
  int CountKind(const json::array& ledger, const char* kind) {
    int n = 0;
    for (const auto& e : ledger) n += e.at("kind") == kind;
    return n;
  }
  // One unit's Postpaid usage in [from, to), in fen (DescribeUsage's closed form).
  std::int64_t UsageOf(const std::string& id, UnixSeconds from, UnixSeconds to) {
    auto usage = OpResult("DescribeUsage",
                          {{"accountId", "acct-a"}, {"from", FormatUtc(from)}, {"to", FormatUtc(to)}});
    for (const auto& u : usage.at("units").as_array()) {
      if (u.at("instanceId") == id.c_str()) return u.at("amount").as_int64();
    }
    return 0;
  }
};

// --- guards ---------------------------------------------------------------------------------

TEST_F(ResizeTest, GuardsComeInTheDocumentedErrorOrder) {
  std::string unit = BuyUnits(4);  // Creating
  for (const json::value& count : {json::value(0), json::value(100001), json::value("5"),
                                   json::value(2.5), json::value(nullptr)}) {
    EXPECT_EQ(Refused(unit, count, "a-admin", "count"), "InvalidParameter") << count;
  }
  EXPECT_EQ(ErrorCodeOf(Call(kCU, "ResizeComputeUnit", json::object{{"count", 5}}, "a-admin")),
            "InvalidParameter");
  EXPECT_EQ(ErrorCodeOf(Call(kCU, "ResizeComputeUnit",
                             {{"instanceId", unit}, {"count", 5}, {"clientToken", std::string(65, 't')}},
                             "a-admin")),
            "InvalidParameter");
  // InvalidParameter before ResourceNotFound, ResourceNotFound before OperationNotAllowed.
  EXPECT_EQ(Refused("unit-doesnotexist", 0), "InvalidParameter");
  EXPECT_EQ(Refused("unit-doesnotexist", 5, "a-admin", "unit-doesnotexist"), "ResourceNotFound");
  EXPECT_EQ(Refused(unit, 5, "b-admin"), "ResourceNotFound") << "another tenant's Creating unit";
  // A Creating unit, even where the pool could not hold the growth either.
  EXPECT_EQ(Refused(unit, 99, "a-admin", "Creating"), "OperationNotAllowed");

  Advance(1);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Refused(unit, 4, "a-admin", "already has 4 units"), "OperationNotAllowed");
  EXPECT_EQ(Refused(unit, 25, "a-admin", "21 units more"), "InsufficientInventory")
      << "20 in the pool, 4 of them this unit's";
  EXPECT_EQ(Refused(unit, 5, "a-reader"), "AccessDenied");
  EXPECT_EQ(Refused(unit, 5, "a-nobody"), "AccessDenied");
  EXPECT_EQ(Refused(unit, 5, "b-admin"), "ResourceNotFound");
  Resize(unit, 5, "a-ops");
  EXPECT_EQ(Refused(unit, 6, "a-admin", "Reconfiguring"), "OperationNotAllowed");
  EXPECT_EQ(Refused(unit, 5, "a-admin", "Reconfiguring"), "OperationNotAllowed");
  Advance(1);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Total(unit), 5);

  // A unit its service uses wholly: 2 replicas of 2 units.
  std::string served = Buy(PostpaidPurchase("svc-a", 2));
  Advance(2);
  EXPECT_EQ(Unit(served).at("usedComputeUnits"), 4);
  EXPECT_EQ(Refused(served, 3, "a-admin", "count 3 is below the 4 units"), "OperationNotAllowed");
  EXPECT_EQ(Refused(served, 1), "OperationNotAllowed");
  Resize(served, 6);
  Advance(1);
  EXPECT_EQ(Total(served), 6);
  EXPECT_EQ(Unit(served).at("usedComputeUnits"), 4);
  ExpectInvariants();

  Ok(kCU, "ReleaseComputeUnit", {{"instanceId", unit}});
  EXPECT_EQ(Refused(unit, 2, "a-admin", "Released"), "OperationNotAllowed");
  EXPECT_EQ(Refused(unit, 200, "a-admin", "Released"), "OperationNotAllowed");
}

TEST_F(ResizeTest, AGrowthMustBePaidForAndFitThePool) {
  // acct-r can pay exactly one month of one unit: nothing is left for a growth.
  std::string prepaid = BuyUnits(1, "Prepaid", "r-admin");
  Advance(1);
  EXPECT_EQ(Refused(prepaid, 2, "r-admin", "balance"), "InsufficientBalance");
  EXPECT_EQ(Refused(prepaid, 30, "r-admin"), "InsufficientInventory") << "the pool first";
  EXPECT_EQ(Status(prepaid, "r-admin"), "Running");
  // acct-poor has 1000 fen: a Postpaid unit at 500 fen/h may grow by what one settlement
  // period (1 h) of the extra units costs, no more.
  std::string postpaid = BuyUnits(1, "Postpaid", "p-admin");
  Advance(1);
  EXPECT_EQ(Refused(postpaid, 4, "p-admin", "settlement period"), "InsufficientBalance");
  Resize(postpaid, 3, "p-admin");
  EXPECT_EQ(Total(postpaid, "p-admin"), 3) << "a growth holds its units from the request";
  Advance(1);
  EXPECT_EQ(Allocated(), 1 + 3);
}

// --- money ----------------------------------------------------------------------------------

TEST_F(ResizeTest, PostpaidGrowthAndShrinkAreBilledForWhatTheUnitHolds) {
  std::string unit = BuyUnits(2);
  Advance(1);
  UnixSeconds t0 = Now();
  Resize(unit, 5);
  EXPECT_EQ(Status(unit), "Reconfiguring");
  EXPECT_EQ(Total(unit), 5) << "a growth holds the new size at once";
  EXPECT_EQ(Allocated(), 5);
  ExpectInvariants();
  Advance(1);
  EXPECT_EQ(Status(unit), "Running");
  Advance(3599);

  Resize(unit, 1);
  EXPECT_EQ(Status(unit), "Reconfiguring");
  EXPECT_EQ(Total(unit), 5) << "a shrink holds the old size until it completes";
  EXPECT_EQ(Allocated(), 5);
  ExpectInvariants();
  Advance(1);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Total(unit), 1);
  EXPECT_EQ(Allocated(), 1);
  Advance(3);
  // Five units from the growth's request (t0) to the shrink's completion (t0+3601), one since.
  // Billing either from the growth's completion or to the shrink's request would give 2500.
  EXPECT_EQ(UsageOf(unit, t0, t0 + 3604), kPostpaidPrice * (5 * 3601 + 1 * 3) / 3600);
  EXPECT_EQ(kPostpaidPrice * (5 * 3601 + 1 * 3) / 3600, 2501);
  EXPECT_EQ(CountKind(Ledger(), "resize"), 0) << "Postpaid resizes charge nothing up front";
}

TEST_F(ResizeTest, PrepaidGrowthPaysTheRestOfTheTermAndAShrinkIsRefundedWhenItCompletes) {
  std::string unit = BuyUnits(2, "Prepaid");
  Advance(1);
  json::object bought = Unit(unit);
  UnixSeconds start = TimeOf(bought, "startTime"), end = TimeOf(bought, "expiredTime");
  ASSERT_GT(end - start, 27 * kDay);
  Advance(10 * kDay + 7);

  UnixSeconds grown_at = Now();
  json::object grown = Resize(unit, 5);
  std::int64_t charge = Prorated(3, 1, end - grown_at, end - start, true);
  json::array ledger = Ledger();
  ASSERT_FALSE(ledger.empty());
  EXPECT_EQ(ledger[0].at("kind"), "resize");
  EXPECT_EQ(ledger[0].at("amount"), -charge);
  EXPECT_EQ(ledger[0].at("orderId"), grown.at("orderId"));
  EXPECT_EQ(ledger[0].at("instanceId"), unit.c_str());
  EXPECT_EQ(Total(unit), 5);
  Advance(1);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Unit(unit).at("expiredTime"), bought.at("expiredTime")) << "the term is unchanged";

  Advance(5 * kDay + 3);
  json::object shrunk = Resize(unit, 3);
  EXPECT_EQ(Ledger().size(), ledger.size()) << "a shrink is refunded when it completes";
  Advance(1);
  UnixSeconds done = Now();
  std::int64_t refund = Prorated(2, 1, end - done, end - start, false);
  ledger = Ledger();
  EXPECT_EQ(ledger[0].at("kind"), "resize");
  EXPECT_EQ(ledger[0].at("amount"), refund);
  EXPECT_EQ(ledger[0].at("orderId"), shrunk.at("orderId"));
  EXPECT_NE(grown.at("orderId"), shrunk.at("orderId"));
  EXPECT_EQ(Total(unit), 3);
  EXPECT_EQ(Allocated(), 3);
  EXPECT_GT(charge, 0);
  EXPECT_GT(refund, 0);
}

// --- idempotency, dispatch ------------------------------------------------------------------

TEST_F(ResizeTest, AClientTokenReplaysTheFirstResizeOnEveryPath) {
  std::string unit = BuyUnits(2);
  Advance(1);
  json::object body{{"instanceId", unit}, {"count", 4}, {"clientToken", "resize-1"}};
  json::value first = Ok(kCU, "ResizeComputeUnit", body);
  Advance(1);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Ok(kCharge, "ResizeComputeUnit", body), first) << "the Python SDK's path";
  EXPECT_EQ(Status(unit), "Running") << "the replay resized nothing";
  EXPECT_EQ(Total(unit), 4);
  body["count"] = 3;
  EXPECT_EQ(ErrorCodeOf(Call(kCU, "ResizeComputeUnit", body, "a-admin")),
            "IdempotentParameterMismatch");
  json::object purchase = PostpaidPurchase("svc-a", 1);
  purchase["clientToken"] = "resize-1";
  EXPECT_EQ(ErrorCodeOf(Call("/v2/serviceresources", "PurchaseComputeUnit", purchase, "a-admin")),
            "IdempotentParameterMismatch")
      << "one namespace per account";
  // Another tenant's same token is its own.
  std::string theirs = BuyUnits(1, "Postpaid", "b-admin");
  Advance(1);
  Ok(kCU, "ResizeComputeUnit", {{"instanceId", theirs}, {"count", 2}, {"clientToken", "resize-1"}},
     "b-admin");

  // The token in the query, as purchases take it.
  auto admin = Admin();
  client::RawRequest request;
  request.target = "/v2/computeunit?Action=ResizeComputeUnit&clientToken=resize-2";
  request.body = json::serialize(json::object{{"instanceId", unit}, {"count", 6}});
  admin.Sign(request);
  auto sent = admin.Send(request);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->status, 200) << sent->body;
  json::value by_query = ResultOf(*sent);
  EXPECT_EQ(Ok(kCU, "ResizeComputeUnit", {{"instanceId", unit}, {"count", 6}, {"clientToken", "resize-2"}}),
            by_query);
  Advance(1);
  EXPECT_EQ(Total(unit), 6);
}

// --- release while Reconfiguring --------------------------------------------------------------

TEST_F(ResizeTest, AReleaseWhileReconfiguringCancelsItAndReturnsEverythingHeld) {
  std::string growing = BuyUnits(2);
  std::string shrinking = BuyUnits(4);
  Advance(1);
  Resize(growing, 6);
  Resize(shrinking, 1);
  EXPECT_EQ(Allocated(), 10);
  Ok(kCU, "ReleaseComputeUnit", {{"instanceId", growing}});
  EXPECT_EQ(Allocated(), 4);
  ExpectInvariants();
  Ok(kCharge, "ReleaseComputeUnit", {{"instanceId", shrinking}});
  EXPECT_EQ(Allocated(), 0);
  Advance(5);
  EXPECT_EQ(Status(growing), "Released") << "the reconfiguration was cancelled";
  EXPECT_EQ(Status(shrinking), "Released");
  EXPECT_EQ(Allocated(), 0);
}

// --- services on resized units ----------------------------------------------------------------

// A service across two units: one unit is resized (refused below what the service uses), the
// other released (the service keeps Serving on the first), then the service is deactivated
// (its units stay, and keep billing). The invariants hold after every step.
TEST_F(ResizeTest, AServiceAcrossTwoUnitsThroughResizeReleaseAndDeactivation) {
  constexpr const char* kService = "/v2/service";
  auto service_of = [&](const std::string& id) {
    return Ok(kService, "DescribeService", {{"serviceId", id}}).as_object();
  };
  auto used = [&](const std::string& id) { return Unit(id).at("usedComputeUnits").as_int64(); };
  std::string first = BuyUnits(4), second = BuyUnits(4);
  Advance(1);
  ExpectInvariants();

  json::value created = Ok(
      kService, "CreateService",
      {{"name", "scenario"},
       {"deploymentConfig",
        {{"deploymentComputeUnitList", json::array{{{"instanceId", first}, {"deploymentReplicasCount", 1}}}},
         {"replicaComputeUnitCount", 2}}}});
  ASSERT_TRUE(created.is_object());
  std::string svc(created.at("serviceId").as_string());
  Advance(1);
  EXPECT_EQ(service_of(svc).at("runStatus"), "Serving");
  ExpectInvariants();

  // Scaled across both units: all of the first (2 replicas × 2 units), half of the second.
  Ok(kService, "ScaleService", {{"serviceId", svc}, {"instanceId", first}, {"deploymentReplicasCount", 2}});
  Ok(kService, "ScaleService", {{"serviceId", svc}, {"instanceId", second}, {"deploymentReplicasCount", 1}});
  Advance(1);
  EXPECT_EQ(service_of(svc).at("runStatus"), "Serving");
  EXPECT_EQ(service_of(svc).at("resourceConfig").at("replicasCount"), 3);
  EXPECT_EQ(used(first), 4);
  EXPECT_EQ(used(second), 2);
  ExpectInvariants();

  // The first unit cannot shrink below what the service uses; it can grow.
  EXPECT_EQ(Refused(first, 3, "a-admin", "count 3 is below the 4 units"), "OperationNotAllowed");
  EXPECT_EQ(Refused(second, 1, "a-admin", "below the 2 units"), "OperationNotAllowed");
  Resize(first, 6);
  EXPECT_EQ(Status(first), "Reconfiguring");
  EXPECT_EQ(service_of(svc).at("runStatus"), "Serving") << "its replicas stay up meanwhile";
  ExpectInvariants();
  Advance(1);
  EXPECT_EQ(Status(first), "Running");
  EXPECT_EQ(Total(first), 6);
  EXPECT_EQ(used(first), 4);
  ExpectInvariants();

  // Releasing the second unit drops its replica; the service keeps Serving on the first.
  Ok(kCU, "ReleaseComputeUnit", {{"instanceId", second}});
  json::object after_release = service_of(svc);
  EXPECT_EQ(after_release.at("runStatus"), "Serving");
  EXPECT_EQ(after_release.at("resourceConfig").at("replicasCount"), 2);
  ASSERT_EQ(after_release.at("deployments").as_array().size(), 1u);
  EXPECT_EQ(after_release.at("deployments").as_array()[0].at("instanceId"), first.c_str());
  ExpectInvariants();

  // Deactivated: Stopped, the unit stays Running with nothing used, and keeps billing its size.
  Ok(kService, "DeactivateService", {{"serviceId", svc}});
  Advance(1);
  EXPECT_EQ(service_of(svc).at("runStatus"), "Stopped");
  EXPECT_EQ(Status(first), "Running");
  EXPECT_EQ(used(first), 0);
  UnixSeconds stopped = Now();
  Advance(3600);
  EXPECT_EQ(UsageOf(first, stopped, stopped + 3600), kPostpaidPrice * 6);
  ExpectInvariants();
}

// --- faults and expiry: the reconfiguration takes an hour ------------------------------------

class SlowResizeTest : public ResizeTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1h", "--deploy-delay", "1s"};
  }
};

TEST_F(SlowResizeTest, AFailedPrepaidGrowthIsUndoneAndRefundedUnderItsOrder) {
  OpResult("InjectFault", {{"operation", "reconfigure"}, {"count", 1}});
  std::string unit = BuyUnits(2, "Prepaid");
  Advance(3600);
  EXPECT_EQ(Status(unit), "Running") << "a provisioning does not take a reconfigure fault";
  json::object grown = Resize(unit, 4);
  std::int64_t charge = -Ledger()[0].at("amount").as_int64();
  EXPECT_GT(charge, 0);
  EXPECT_TRUE(OpResult("DescribeFaults").at("faults").as_array().empty()) << "taken on acceptance";
  EXPECT_EQ(Total(unit), 4);
  EXPECT_EQ(Allocated(), 4);
  Advance(3600);
  EXPECT_EQ(Status(unit), "ReconfigureFailed");
  EXPECT_EQ(Total(unit), 2);
  EXPECT_EQ(Allocated(), 2);
  json::array ledger = Ledger();
  EXPECT_EQ(ledger[0].at("kind"), "refund");
  EXPECT_EQ(ledger[0].at("amount"), charge);
  EXPECT_EQ(ledger[0].at("orderId"), grown.at("orderId"));
  ExpectInvariants();

  // ReconfigureFailed counts as Running, and a resize to the same size clears it.
  Resize(unit, 2);
  EXPECT_EQ(Status(unit), "Reconfiguring");
  Advance(3600);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Total(unit), 2);
  EXPECT_EQ(Ledger().size(), ledger.size()) << "no change of size, no money";
  EXPECT_EQ(Refused(unit, 2, "a-admin", "already has 2 units"), "OperationNotAllowed");
}

TEST_F(SlowResizeTest, AFailedPostpaidResizeStaysBilledForWhatTheUnitHeld) {
  OpResult("InjectFault", {{"operation", "reconfigure"}, {"count", 2}, {"region", "bj"}, {"type", "gpu-1"}});
  std::string unit = BuyUnits(2);
  Advance(3600);
  UnixSeconds t0 = Now();
  Resize(unit, 4);
  Advance(3600);
  EXPECT_EQ(Status(unit), "ReconfigureFailed");
  EXPECT_EQ(Total(unit), 2);
  Advance(3600);
  EXPECT_EQ(UsageOf(unit, t0, t0 + 7200), kPostpaidPrice * (4 + 2));
  // A failed shrink changes nothing but the status.
  Resize(unit, 1);
  Advance(3600);
  EXPECT_EQ(Status(unit), "ReconfigureFailed");
  EXPECT_EQ(Total(unit), 2);
  EXPECT_EQ(Allocated(), 2);
  EXPECT_EQ(CountKind(Ledger(), "refund"), 0);
}

TEST_F(SlowResizeTest, AReconfigurationInFlightSurvivesARestart) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // the transition row must outlive the process
  std::string unit = BuyUnits(2, "Prepaid");
  Advance(3600);
  json::object bought = Unit(unit);
  UnixSeconds start = TimeOf(bought, "startTime"), end = TimeOf(bought, "expiredTime");
  Resize(unit, 6);
  Advance(1800);
  EXPECT_EQ(Refused(unit, 6, "a-admin", "Reconfiguring"), "OperationNotAllowed");
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  EXPECT_EQ(Status(unit), "Reconfiguring");
  Advance(1800);
  EXPECT_EQ(Status(unit), "Running");
  EXPECT_EQ(Total(unit), 6);
  // And a shrink accepted before a restart is refunded once, when it completes after it.
  Resize(unit, 3);
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  Advance(3600);
  UnixSeconds done = Now();
  EXPECT_EQ(Total(unit), 3);
  EXPECT_EQ(Allocated(), 3);
  json::array ledger = Ledger();
  EXPECT_EQ(ledger[0].at("amount"), Prorated(3, 1, end - done, end - start, false));
  EXPECT_EQ(CountKind(ledger, "resize"), 2);
}

TEST_F(SlowResizeTest, PrepaidExpiryWhileReconfiguring) {
  // Without a renewal rule the unit ends at expiry: the growth's units were held to the end of
  // the term they paid for, so nothing is refunded.
  std::string unit = BuyUnits(1, "Prepaid");
  Advance(3600);
  json::object bought = Unit(unit);
  UnixSeconds start = TimeOf(bought, "startTime"), end = TimeOf(bought, "expiredTime");
  AdvanceTo(end - 1800);
  Resize(unit, 3);
  EXPECT_EQ(Ledger()[0].at("amount"), -Prorated(2, 1, 1800, end - start, true));
  AdvanceTo(end);
  EXPECT_EQ(Status(unit), "Released");
  EXPECT_EQ(Allocated(), 0);
  EXPECT_EQ(Ledger()[0].at("kind"), "resize");
  ExpectInvariants();

  // With a rule the unit renews at the size it holds; the growth then fails, and what it cost
  // (its charge and its share of the renewal) comes back under its order.
  OpResult("InjectFault", {{"operation", "reconfigure"}, {"count", 1}});
  std::string renewing = BuyUnits(1, "Prepaid", "a-admin", true);
  Advance(3600);
  bought = Unit(renewing);
  start = TimeOf(bought, "startTime");
  end = TimeOf(bought, "expiredTime");
  AdvanceTo(end - 1800);
  json::object grown = Resize(renewing, 3);
  std::int64_t charge = Prorated(2, 1, 1800, end - start, true);
  AdvanceTo(end);
  json::array ledger = Ledger();
  EXPECT_EQ(ledger[0].at("kind"), "renewal");
  EXPECT_EQ(ledger[0].at("amount"), -kPrepaidPrice * 3) << "renewed at the size it holds";
  EXPECT_EQ(Status(renewing), "Reconfiguring");
  Advance(1800);
  EXPECT_EQ(Status(renewing), "ReconfigureFailed");
  EXPECT_EQ(Total(renewing), 1);
  ledger = Ledger();
  EXPECT_EQ(ledger[0].at("kind"), "refund");
  EXPECT_EQ(ledger[0].at("amount"), charge + kPrepaidPrice * 2);
  EXPECT_EQ(ledger[0].at("orderId"), grown.at("orderId"));
  // The next term is priced as the renewal paid it: a growth now is pro-rated over it.
  json::object renewed = Unit(renewing);
  UnixSeconds next_end = TimeOf(renewed, "expiredTime");
  UnixSeconds now = Now();
  Resize(renewing, 2);
  EXPECT_EQ(Ledger()[0].at("amount"), -Prorated(1, 1, next_end - now, next_end - end, true));
  Advance(3600);
  EXPECT_EQ(Status(renewing), "Running");
}

}  // namespace
}  // namespace cuplane::testing
