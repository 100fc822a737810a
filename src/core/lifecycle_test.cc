// The life of compute units (SPEC §5), driven end to end on a real SQLite store by the
// scheduler on a virtual clock, as `cuplane serve --clock virtual` runs it. After every clock
// move (and at the end of every test) the money and capacity invariants of SPEC §5 are checked.

#include "core/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "common/clock.h"
#include "common/time_util.h"
#include "core/accounts.h"
#include "core/billing/usage.h"
#include "core/bootstrap.h"
#include "core/auto_renew_rules.h"
#include "core/client_tokens.h"
#include "core/compute_units.h"
#include "core/faults.h"
#include "core/resizes.h"
#include "core/services.h"
#include "scheduler/scheduler.h"
#include "store/sqlite/sqlite_test_file.h"

namespace cuplane::core {
namespace {

constexpr Money kPrepaidPerUnitMonth = 300'000;
constexpr Money kPostpaidPerUnitHour = 7;  // odd, so partial hours round
constexpr std::int64_t kUnitsPerReplica = 2;
constexpr std::int64_t kPoolUnits = 64;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

UnixSeconds At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

// 2025-01-31T09:59:59Z: a month-end start, so that calendar-month clamping (Jan 31 -> Feb 28)
// is exercised. (StartTimeIsJanuary31 checks the constant.)
constexpr UnixSeconds kStart = 1738317599;
// Provisioning takes 1 s, so units bought at kStart start here, on the hourly settlement grid.
constexpr UnixSeconds kStarted = kStart + 1;

// price × units × months: what a Prepaid purchase or renewal costs.
constexpr Money PrepaidCostOf(std::int64_t units, int months) {
  return kPrepaidPerUnitMonth * units * months;
}
// floor(price × units × seconds / 3600): the whole-run Postpaid charge.
constexpr Money PostpaidUsageOf(std::int64_t units, std::int64_t seconds) {
  return kPostpaidPerUnitHour * units * seconds / 3600;
}

struct Tenant {
  Principal principal;
  std::string service_id;
};

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest() {
    config_.provision_delay_seconds = 1;
    config_.deploy_delay_seconds = 1;
    config_.settlement_period_seconds = kHour;
    config_.arrears_grace_seconds = kDay;
    config_.list_retention_seconds = 7 * kDay;
  }

  // Runs `fn` in a write transaction, failing the test (and returning T{}) when it fails.
  template <typename Fn>
  auto Write(Fn fn) {
    using R = std::invoke_result_t<Fn&, store::Transaction&>;
    if constexpr (std::is_void_v<R>) {
      Status status = store_->Write<Ok>([&](store::Transaction& tx) -> Status {
        fn(tx);
        return OkStatus();
      });
      EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
    } else {
      auto result = store_->Write<R>([&](store::Transaction& tx) -> Result<R> { return fn(tx); });
      if (!result.ok()) {
        ADD_FAILURE() << "transaction failed: " << result.error().message;
        return R{};
      }
      return std::move(result).value();
    }
  }

  void SetUp() override { StartServer(); }
  void TearDown() override { ExpectInvariants(); }

  // Opens the store and the virtual clock (resuming its stored time, as `cuplane serve` does)
  // and a scheduler over them.
  void StartServer() {
    store_ = file_.Open();
    auto now = Write([](store::Transaction& tx) -> UnixSeconds {
      if (auto saved = tx.GetMeta(scheduler::Scheduler::kVirtualClockMetaKey)) {
        return std::stoll(*saved);
      }
      tx.SetMeta(scheduler::Scheduler::kVirtualClockMetaKey, std::to_string(kStart));
      return kStart;
    });
    clock_ = std::make_unique<VirtualClock>(now);
    scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, *clock_, clock_.get(), config_);
  }

  // Destroys every in-memory object of the "server" and starts again on the same file.
  void Restart() {
    scheduler_.reset();
    store_.reset();
    clock_.reset();
    StartServer();
  }

  UnixSeconds Now() const { return clock_->Now(); }

  void AdvanceTo(UnixSeconds t) {
    auto reached = scheduler_->AdvanceVirtualClock(t);
    ASSERT_TRUE(reached.ok()) << reached.error().message;
    EXPECT_EQ(*reached, t);
    EXPECT_EQ(Now(), t);
    ExpectInvariants();
  }
  void AdvanceBy(std::int64_t seconds) { AdvanceTo(Now() + seconds); }

  // An account with one user and one bj/gpu-1 service, created through the bootstrap path.
  Tenant AddTenant(const std::string& account_id, Money opening_balance) {
    BootstrapSpec spec;
    spec.prices = {Price{"gpu-1", kPrepaidPerUnitMonth, kPostpaidPerUnitHour}};
    spec.inventory = {Pool{"bj", "gpu-1", kPoolUnits, 0}};
    Service service;
    service.service_id = "svc-" + account_id;
    service.name = "chat";
    service.region = "bj";
    service.type = "gpu-1";
    service.units_per_replica = kUnitsPerReplica;
    spec.accounts = {BootstrapAccount{account_id,
                                      "tenant " + account_id,
                                      opening_balance,
                                      {BootstrapUser{"admin", {Policy::kFullControl}, {}}},
                                      {service}}};
    Status applied = store_->Write<Ok>(
        [&](store::Transaction& tx) { return ApplyBootstrap(tx, secrets_, spec, Now()); });
    EXPECT_TRUE(applied.ok()) << (applied.ok() ? "" : applied.error().message);
    accounts_.insert(account_id);
    return Tenant{Principal{false, account_id, "admin", {Policy::kFullControl}, "admin-key"},
                  service.service_id};
  }

  static PurchaseOrder Prepaid(const Tenant& tenant, int months, bool auto_renew = false,
                               int auto_renew_months = 1, std::int64_t replicas = 1) {
    PurchaseOrder order;
    order.service_id = tenant.service_id;
    order.replicas_count = replicas;
    order.billing.payment_timing = PaymentTiming::kPrepaid;
    order.billing.reservation_months = months;
    order.billing.auto_renew = auto_renew;
    order.billing.auto_renew_months = auto_renew_months;
    return order;
  }
  static PurchaseOrder Postpaid(const Tenant& tenant, std::int64_t replicas = 1) {
    PurchaseOrder order;
    order.service_id = tenant.service_id;
    order.replicas_count = replicas;
    order.billing.payment_timing = PaymentTiming::kPostpaid;
    return order;
  }

  // Buys a unit now; the purchase must succeed.
  std::string Buy(const Tenant& tenant, const PurchaseOrder& order) {
    auto bought = store_->Write<PurchaseResult>([&](store::Transaction& tx) {
      return PurchaseComputeUnit(tx, tenant.principal, order, config_, Now());
    });
    EXPECT_TRUE(bought.ok()) << (bought.ok() ? "" : bought.error().message);
    return bought.ok() ? bought->instance_id : std::string();
  }

  Status SetRelease(const Tenant& tenant, const std::string& instance_id,
                    std::optional<UnixSeconds> release_time) {
    return store_->Write<Ok>([&](store::Transaction& tx) {
      return SetAutoRelease(tx, tenant.principal, instance_id, release_time, Now());
    });
  }

  Instance GetInstance(const std::string& id) {
    auto instance = Write([&](store::Transaction& tx) { return tx.GetInstance(id); });
    EXPECT_TRUE(instance.has_value()) << id;
    return instance.value_or(Instance{});
  }
  Account GetAccount(const std::string& id) {
    auto account = Write([&](store::Transaction& tx) { return tx.GetAccount(id); });
    EXPECT_TRUE(account.has_value()) << id;
    return account.value_or(Account{});
  }
  std::int64_t Allocated() {
    auto pool = Write([](store::Transaction& tx) { return tx.GetPool("bj", "gpu-1"); });
    return pool ? pool->allocated_units : -1;
  }
  std::vector<Deployment> Deployments(const std::string& id) {
    return Write([&](store::Transaction& tx) { return tx.ListDeployments(id); });
  }
  std::vector<Transition> PendingTransitions(const std::string& instance_id) {
    return Write([&](store::Transaction& tx) { return tx.ListTransitions(instance_id); });
  }

  // The account's ledger, oldest first; only entries of `kind` (and `instance_id`) when given.
  std::vector<LedgerEntry> Ledger(const std::string& account_id,
                                  std::optional<LedgerKind> kind = std::nullopt,
                                  const std::string& instance_id = "") {
    auto all = Write([&](store::Transaction& tx) { return tx.ListLedger(account_id, 0, 100000); });
    std::reverse(all.begin(), all.end());
    std::vector<LedgerEntry> selected;
    for (const LedgerEntry& e : all) {
      if (kind && e.kind != *kind) continue;
      if (!instance_id.empty() && e.instance_id != instance_id) continue;
      selected.push_back(e);
    }
    return selected;
  }
  Money Total(const std::vector<LedgerEntry>& entries) {
    Money sum = 0;
    for (const LedgerEntry& e : entries) sum += e.amount;
    return sum;
  }

  // SPEC §5: balance == sum(ledger) for every account; allocated == sum(units of live
  // instances) <= total for every pool.
  void ExpectInvariants() {
    if (!store_) return;
    Write([&](store::Transaction& tx) {
      for (const std::string& id : accounts_) {
        auto account = tx.GetAccount(id);
        ASSERT_TRUE(account.has_value()) << id;
        EXPECT_EQ(account->balance, tx.SumLedger(id)) << "account " << id << " at " << Now();
      }
      for (const Pool& pool : tx.ListPools()) {
        EXPECT_EQ(pool.allocated_units, tx.SumLiveUnits(pool.region, pool.type))
            << "pool " << pool.region << "/" << pool.type << " at " << Now();
        EXPECT_LE(pool.allocated_units, pool.total_units);
        EXPECT_GE(pool.allocated_units, 0);
      }
    });
  }

  store::sqlite::SqliteTestFile file_;
  LifecycleConfig config_;
  SecretBox secrets_{std::array<unsigned char, SecretBox::kKeyBytes>{}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<VirtualClock> clock_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::set<std::string> accounts_;
};

std::vector<UnixSeconds> Times(const std::vector<LedgerEntry>& entries) {
  std::vector<UnixSeconds> times;
  for (const LedgerEntry& e : entries) times.push_back(e.time);
  return times;
}

// --- Resize (Running ⇄ Reconfiguring) -----------------------------------------------------------

// The renewal is the term a growth is pro-rated over: Feb 28 to Mar 31 (31 days, the months
// counted from Jan 31), at the price the renewal paid, not the purchase's or today's.
TEST_F(LifecycleTest, AGrowthAfterARenewalIsProratedOverTheRenewedTermAtItsPrice) {
  Tenant tenant = AddTenant("acct-a", 100'000'000);
  std::string id = Buy(tenant, Prepaid(tenant, 1, /*auto_renew=*/true));
  AdvanceBy(1);
  const UnixSeconds first_expiry = At("2025-02-28T10:00:00Z");
  const UnixSeconds second_expiry = At("2025-03-31T10:00:00Z");
  Write([](store::Transaction& tx) { tx.SetPrice(Price{"gpu-1", 310'000, kPostpaidPerUnitHour}); });
  AdvanceTo(first_expiry);
  EXPECT_EQ(GetInstance(id).expired_time, second_expiry);
  Write([](store::Transaction& tx) { tx.SetPrice(Price{"gpu-1", 999'000, kPostpaidPerUnitHour}); });

  AdvanceTo(first_expiry + 10 * kDay + 17);
  auto grown = store_->Write<PurchaseResult>([&](store::Transaction& tx) {
    return ResizeComputeUnit(tx, tenant.principal, ResizeOrder{id, kUnitsPerReplica + 3, ""},
                             config_, Now());
  });
  ASSERT_TRUE(grown.ok()) << grown.error().message;
  const std::int64_t remaining = second_expiry - Now(), term = second_expiry - first_expiry;
  ASSERT_EQ(term, 31 * kDay);
  const __int128 exact = static_cast<__int128>(310'000) * 3 * 1 * remaining;
  const Money expected = static_cast<Money>(exact / term + (exact % term != 0));
  auto charges = Ledger("acct-a", LedgerKind::kResize, id);
  ASSERT_EQ(charges.size(), 1u);
  EXPECT_EQ(charges[0].amount, -expected);
  EXPECT_EQ(charges[0].order_id, grown->order_id);
  EXPECT_EQ(Allocated(), kUnitsPerReplica + 3);
  AdvanceBy(1);
  Instance running = GetInstance(id);
  EXPECT_EQ(running.status, InstanceStatus::kRunning);
  EXPECT_EQ(running.total_units, kUnitsPerReplica + 3);
  EXPECT_TRUE(running.resize_order_id.empty());
  // The next renewal charges the new size at the price of that moment.
  AdvanceTo(second_expiry);
  auto renewals = Ledger("acct-a", LedgerKind::kRenewal, id);
  ASSERT_EQ(renewals.size(), 2u);
  EXPECT_EQ(renewals[1].amount, -999'000 * (kUnitsPerReplica + 3));
}

// --- Prepaid ------------------------------------------------------------------------------------

TEST(LifecycleClockTest, StartTimeIsJanuary31) { EXPECT_EQ(kStart, At("2025-01-31T09:59:59Z")); }

TEST_F(LifecycleTest, PrepaidUnitRunsAfterProvisioningDelayAndIsReleasedAtCalendarMonthEnd) {
  const Money opening = 10'000'000;
  Tenant tenant = AddTenant("acct-a", opening);
  std::string id = Buy(tenant, Prepaid(tenant, 1));

  Instance creating = GetInstance(id);
  EXPECT_EQ(creating.status, InstanceStatus::kCreating);
  EXPECT_EQ(creating.start_time, std::nullopt);
  EXPECT_EQ(creating.expired_time, std::nullopt);
  EXPECT_EQ(creating.total_units, kUnitsPerReplica);
  EXPECT_EQ(Allocated(), kUnitsPerReplica);
  EXPECT_EQ(Deployments(id).size(), 1u);
  auto charges = Ledger("acct-a", LedgerKind::kPrepaid);
  ASSERT_EQ(charges.size(), 1u);
  EXPECT_EQ(charges[0].amount, -PrepaidCostOf(kUnitsPerReplica, 1));
  EXPECT_EQ(charges[0].time, kStart);
  EXPECT_EQ(charges[0].instance_id, id);

  AdvanceBy(1);
  Instance running = GetInstance(id);
  EXPECT_EQ(running.status, InstanceStatus::kRunning);
  EXPECT_EQ(running.start_time, kStarted);
  // Jan 31 + 1 month is clamped to Feb 28 (2025 is not a leap year); time of day kept.
  const UnixSeconds expiry = At("2025-02-28T10:00:00Z");
  EXPECT_EQ(running.expired_time, expiry);

  AdvanceTo(expiry - 1);
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kRunning);
  EXPECT_EQ(Allocated(), kUnitsPerReplica);

  AdvanceTo(expiry);
  Instance released = GetInstance(id);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, expiry);
  EXPECT_EQ(Allocated(), 0);
  EXPECT_TRUE(Deployments(id).empty());
  EXPECT_TRUE(PendingTransitions(id).empty());
  EXPECT_EQ(GetAccount("acct-a").balance, opening - PrepaidCostOf(kUnitsPerReplica, 1));
  EXPECT_TRUE(Ledger("acct-a", LedgerKind::kRenewal).empty());
}

TEST_F(LifecycleTest, PrepaidExpiryInALeapYearClampsToFebruary29) {
  AdvanceTo(At("2028-01-31T10:00:00Z"));
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  std::string id = Buy(tenant, Prepaid(tenant, 1));
  AdvanceBy(1);
  EXPECT_EQ(GetInstance(id).expired_time, At("2028-02-29T10:00:01Z"));
}

TEST_F(LifecycleTest, MultiMonthReservationExpiresThatManyCalendarMonthsAfterStart) {
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  std::string id = Buy(tenant, Prepaid(tenant, 3));
  AdvanceBy(1);
  EXPECT_EQ(GetInstance(id).expired_time, At("2025-04-30T10:00:00Z"));
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPrepaid)), -PrepaidCostOf(kUnitsPerReplica, 3));
}

TEST_F(LifecycleTest, AutoRenewChargesEachRenewalAndExtendsFromStartWithoutMonthEndDrift) {
  const Money renewal = PrepaidCostOf(kUnitsPerReplica, 2);
  // Pays for the purchase and exactly two renewals; the third cannot be paid.
  const Money opening = PrepaidCostOf(kUnitsPerReplica, 1) + 2 * renewal + 1000;
  Tenant tenant = AddTenant("acct-a", opening);
  std::string id = Buy(tenant, Prepaid(tenant, 1, /*auto_renew=*/true, /*auto_renew_months=*/2));
  AdvanceBy(1);
  const UnixSeconds first_expiry = At("2025-02-28T10:00:00Z");
  EXPECT_EQ(GetInstance(id).expired_time, first_expiry);

  AdvanceTo(first_expiry);
  Instance renewed = GetInstance(id);
  EXPECT_EQ(renewed.status, InstanceStatus::kRunning);
  // start + 3 months = Apr 30, not Feb 28 + 2 months = Apr 28.
  const UnixSeconds second_expiry = At("2025-04-30T10:00:00Z");
  EXPECT_EQ(renewed.expired_time, second_expiry);
  EXPECT_EQ(renewed.paid_months, 3);

  AdvanceTo(second_expiry);
  const UnixSeconds third_expiry = At("2025-06-30T10:00:00Z");  // start + 5 months
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kRunning);
  EXPECT_EQ(GetInstance(id).expired_time, third_expiry);

  auto renewals = Ledger("acct-a", LedgerKind::kRenewal);
  ASSERT_EQ(renewals.size(), 2u);
  EXPECT_EQ(Times(renewals), (std::vector<UnixSeconds>{first_expiry, second_expiry}));
  for (const LedgerEntry& e : renewals) {
    EXPECT_EQ(e.amount, -renewal);
    EXPECT_EQ(e.instance_id, id);
  }

  AdvanceTo(third_expiry);
  Instance released = GetInstance(id);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, third_expiry);
  EXPECT_EQ(Ledger("acct-a", LedgerKind::kRenewal).size(), 2u);
  EXPECT_EQ(GetAccount("acct-a").balance, 1000);
  EXPECT_EQ(Allocated(), 0);
  EXPECT_TRUE(PendingTransitions(id).empty());
}

TEST_F(LifecycleTest, RenewalTheBalanceCannotPayReleasesWithoutCharging) {
  const Money short_by_one = PrepaidCostOf(kUnitsPerReplica, 1) - 1;
  const Money opening = PrepaidCostOf(kUnitsPerReplica, 1) + short_by_one;
  Tenant tenant = AddTenant("acct-a", opening);
  std::string id = Buy(tenant, Prepaid(tenant, 1, /*auto_renew=*/true));
  AdvanceBy(1);
  const UnixSeconds expiry = At("2025-02-28T10:00:00Z");
  AdvanceTo(expiry + kDay);

  Instance released = GetInstance(id);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, expiry);
  EXPECT_TRUE(Ledger("acct-a", LedgerKind::kRenewal).empty());
  EXPECT_EQ(GetAccount("acct-a").balance, short_by_one);
  EXPECT_EQ(Allocated(), 0);
  EXPECT_FALSE(GetAccount("acct-a").in_arrears_since.has_value());
}

// --- Postpaid -----------------------------------------------------------------------------------

TEST_F(LifecycleTest, PostpaidSettlesEveryPeriodAndTotalsWholeRunUsageAtRelease) {
  const Money opening = 1'000'000;
  Tenant tenant = AddTenant("acct-a", opening);
  std::string id = Buy(tenant, Postpaid(tenant));
  EXPECT_TRUE(Ledger("acct-a", LedgerKind::kPostpaid).empty()) << "nothing is charged upfront";
  AdvanceBy(1);
  Instance running = GetInstance(id);
  EXPECT_EQ(running.status, InstanceStatus::kRunning);
  EXPECT_EQ(running.start_time, kStarted);
  EXPECT_EQ(running.expired_time, std::nullopt);

  AdvanceTo(kStarted + 3 * kHour);
  auto hourly = Ledger("acct-a", LedgerKind::kPostpaid);
  EXPECT_EQ(Times(hourly), (std::vector<UnixSeconds>{kStarted + kHour, kStarted + 2 * kHour,
                                                     kStarted + 3 * kHour}));
  for (const LedgerEntry& e : hourly) {
    EXPECT_EQ(e.amount, -kPostpaidPerUnitHour * kUnitsPerReplica);
    EXPECT_EQ(e.instance_id, "") << "a settlement is the account's, for all its units";
  }

  const UnixSeconds release_at = kStarted + 5 * kHour + 1234;
  ASSERT_TRUE(SetRelease(tenant, id, release_at).ok());
  AdvanceTo(release_at + 10 * kHour);

  Instance released = GetInstance(id);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, release_at);
  auto charges = Ledger("acct-a", LedgerKind::kPostpaid);
  ASSERT_EQ(charges.size(), 6u);  // five full hours, then the part-hour at release
  EXPECT_EQ(charges.back().time, release_at);
  const Money usage = PostpaidUsageOf(kUnitsPerReplica, release_at - kStarted);
  EXPECT_EQ(usage, 74);
  EXPECT_EQ(Total(charges), -usage);
  EXPECT_EQ(GetAccount("acct-a").balance, opening - usage);
  EXPECT_EQ(Allocated(), 0);
  EXPECT_TRUE(PendingTransitions(id).empty());
}

TEST_F(LifecycleTest, AutoReleaseReleasesAtReleaseTimeWithFinalSettlement) {
  Tenant tenant = AddTenant("acct-a", 1'000'000);
  std::string id = Buy(tenant, Postpaid(tenant));
  AdvanceBy(1);
  const UnixSeconds release_at = kStarted + 2 * kHour + 1800;
  ASSERT_TRUE(SetRelease(tenant, id, release_at).ok());
  EXPECT_EQ(GetInstance(id).release_time, release_at);

  AdvanceTo(release_at - 1);
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kRunning);
  AdvanceTo(release_at);
  Instance released = GetInstance(id);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, release_at);
  auto charges = Ledger("acct-a", LedgerKind::kPostpaid);
  ASSERT_FALSE(charges.empty());
  EXPECT_EQ(charges.back().time, release_at);
  EXPECT_EQ(charges.back().amount, -PostpaidUsageOf(kUnitsPerReplica, 1800));
  EXPECT_EQ(Total(charges), -PostpaidUsageOf(kUnitsPerReplica, release_at - kStarted));
  EXPECT_EQ(Allocated(), 0);
  EXPECT_TRUE(Deployments(id).empty());
}

TEST_F(LifecycleTest, ClearedAutoReleaseKeepsTheUnitRunning) {
  Tenant tenant = AddTenant("acct-a", 1'000'000);
  std::string id = Buy(tenant, Postpaid(tenant));
  AdvanceBy(1);
  ASSERT_TRUE(SetRelease(tenant, id, kStarted + kHour + 5).ok());
  ASSERT_TRUE(SetRelease(tenant, id, std::nullopt).ok());
  EXPECT_EQ(GetInstance(id).release_time, std::nullopt);
  AdvanceTo(kStarted + 3 * kHour);
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kRunning);

  // A new time replaces the old one rather than adding a second release.
  ASSERT_TRUE(SetRelease(tenant, id, kStarted + 10 * kHour).ok());
  ASSERT_TRUE(SetRelease(tenant, id, kStarted + 4 * kHour + 7).ok());
  AdvanceTo(kStarted + 4 * kHour + 7);
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kReleased);
  EXPECT_EQ(GetInstance(id).released_at, kStarted + 4 * kHour + 7);
}

TEST_F(LifecycleTest, AutoReleaseIsRefusedForPrepaidReleasedAndPastTimes) {
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  std::string prepaid = Buy(tenant, Prepaid(tenant, 1));
  std::string postpaid = Buy(tenant, Postpaid(tenant));
  AdvanceBy(1);
  Status on_prepaid = SetRelease(tenant, prepaid, Now() + kHour);
  ASSERT_FALSE(on_prepaid.ok());
  EXPECT_EQ(on_prepaid.error().code, ErrorCode::kOperationNotAllowed);
  Status in_past = SetRelease(tenant, postpaid, Now());
  ASSERT_FALSE(in_past.ok());
  EXPECT_EQ(in_past.error().code, ErrorCode::kInvalidParameter);

  ASSERT_TRUE(SetRelease(tenant, postpaid, Now() + 10).ok());
  AdvanceBy(10);
  Status on_released = SetRelease(tenant, postpaid, Now() + kHour);
  ASSERT_FALSE(on_released.ok());
  EXPECT_EQ(on_released.error().code, ErrorCode::kOperationNotAllowed);
}

// --- arrears ------------------------------------------------------------------------------------

class LifecycleArrearsTest : public LifecycleTest {
 protected:
  static constexpr Money kHourly = kPostpaidPerUnitHour * kUnitsPerReplica;  // 14
  // Covers one settlement period (the Postpaid purchase check) but not two: the second
  // hourly settlement, at kStarted + 2 h, leaves the balance at 20 - 28 = -8.
  static constexpr Money kPostpaidOpening = 20;

  void SetUp() override {
    LifecycleTest::SetUp();
    // The account also holds a Prepaid unit, which arrears must not touch.
    tenant_ = AddTenant("acct-a", PrepaidCostOf(kUnitsPerReplica, 1) + kPostpaidOpening);
    prepaid_ = Buy(tenant_, Prepaid(tenant_, 1));
    postpaid_ = Buy(tenant_, Postpaid(tenant_));
    AdvanceBy(1);
    AdvanceTo(kArrearsStart - 1);
    EXPECT_FALSE(GetAccount("acct-a").in_arrears_since.has_value());
    AdvanceTo(kArrearsStart);
    EXPECT_EQ(GetAccount("acct-a").balance, kPostpaidOpening - 2 * kHourly);
    EXPECT_EQ(GetAccount("acct-a").in_arrears_since, kArrearsStart);
  }

  static constexpr UnixSeconds kArrearsStart = kStarted + 2 * kHour;
  static constexpr UnixSeconds kGraceEnd = kArrearsStart + kDay;
  Tenant tenant_;
  std::string prepaid_;
  std::string postpaid_;
};

TEST_F(LifecycleArrearsTest, PostpaidUnitsAreReleasedWhenTheGracePeriodEnds) {
  AdvanceTo(kGraceEnd - 1);
  EXPECT_EQ(GetInstance(postpaid_).status, InstanceStatus::kRunning);

  AdvanceTo(kGraceEnd);
  Instance released = GetInstance(postpaid_);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, kGraceEnd);
  // Usage is charged up to the release, even though it deepens the debt.
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPostpaid)),
            -PostpaidUsageOf(kUnitsPerReplica, kGraceEnd - kStarted));
  EXPECT_EQ(GetInstance(prepaid_).status, InstanceStatus::kRunning);
  EXPECT_EQ(Allocated(), kUnitsPerReplica);  // the Prepaid unit's

  // Nothing more is charged once it is released.
  AdvanceBy(5 * kHour);
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPostpaid)),
            -PostpaidUsageOf(kUnitsPerReplica, kGraceEnd - kStarted));
  EXPECT_TRUE(PendingTransitions(postpaid_).empty());
}

TEST_F(LifecycleArrearsTest, TopUpBeforeGraceEndsClearsArrearsAndTheUnitKeepsRunning) {
  AdvanceTo(kArrearsStart + 5 * kHour);
  auto topped = Write([&](store::Transaction& tx) {
    auto balance = TopUpBalance(tx, "acct-a", 1000, Now());
    EXPECT_TRUE(balance.ok());
    return balance.ok() ? *balance : Money{-1};
  });
  EXPECT_EQ(topped, kPostpaidOpening - 7 * kHourly + 1000);
  EXPECT_FALSE(GetAccount("acct-a").in_arrears_since.has_value());
  auto topups = Ledger("acct-a", LedgerKind::kTopup);
  ASSERT_EQ(topups.size(), 2u);  // the opening balance and this one
  EXPECT_EQ(topups.back().amount, 1000);

  AdvanceTo(kGraceEnd + kHour);
  EXPECT_EQ(GetInstance(postpaid_).status, InstanceStatus::kRunning);
  EXPECT_FALSE(GetAccount("acct-a").in_arrears_since.has_value());
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPostpaid)),
            -PostpaidUsageOf(kUnitsPerReplica, kGraceEnd + kHour - kStarted));
}

// SPEC §5 says units are released "unless it is topped up"; a top-up that leaves the balance
// negative does not end the arrears (read: topped up to a non-negative balance).
TEST_F(LifecycleArrearsTest, TopUpThatLeavesTheBalanceNegativeDoesNotStopTheRelease) {
  AdvanceTo(kArrearsStart + kHour);
  Write([&](store::Transaction& tx) { EXPECT_TRUE(TopUpBalance(tx, "acct-a", 1, Now()).ok()); });
  EXPECT_LT(GetAccount("acct-a").balance, 0);
  EXPECT_EQ(GetAccount("acct-a").in_arrears_since, kArrearsStart);
  AdvanceTo(kGraceEnd);
  EXPECT_EQ(GetInstance(postpaid_).status, InstanceStatus::kReleased);
}

TEST_F(LifecycleArrearsTest, ArrearsAfterAnEarlierTopUpGetAFreshGracePeriod) {
  // Top up enough for exactly two more hours: the balance is -8 - 14 + 44 = 22 at +3 h.
  AdvanceTo(kArrearsStart + kHour);
  Write([&](store::Transaction& tx) { EXPECT_TRUE(TopUpBalance(tx, "acct-a", 44, Now()).ok()); });
  EXPECT_FALSE(GetAccount("acct-a").in_arrears_since.has_value());
  // 22 - 14 = 8 at +4 h, 8 - 14 = -6 at +5 h: arrears again, from +5 h.
  const UnixSeconds second_arrears = kStarted + 5 * kHour;
  AdvanceTo(second_arrears);
  EXPECT_EQ(GetAccount("acct-a").in_arrears_since, second_arrears);
  AdvanceTo(kGraceEnd + 10);
  EXPECT_EQ(GetInstance(postpaid_).status, InstanceStatus::kRunning)
      << "the first grace period was cancelled by the top-up";
  AdvanceTo(second_arrears + kDay);
  EXPECT_EQ(GetInstance(postpaid_).status, InstanceStatus::kReleased);
  EXPECT_EQ(GetInstance(postpaid_).released_at, second_arrears + kDay);
}

// --- failed provisioning ------------------------------------------------------------------------

TEST_F(LifecycleTest, FailedProvisioningRefundsInFullAndReturnsUnits) {
  const Money opening = 10'000'000;
  Tenant tenant = AddTenant("acct-a", opening);
  std::string id = Buy(tenant, Prepaid(tenant, 3, false, 1, /*replicas=*/2));
  const Money cost = PrepaidCostOf(2 * kUnitsPerReplica, 3);
  EXPECT_EQ(GetAccount("acct-a").balance, opening - cost);
  EXPECT_EQ(Allocated(), 2 * kUnitsPerReplica);

  Write([&](store::Transaction& tx) {
    auto instance = tx.GetInstance(id);
    ASSERT_TRUE(instance.has_value());
    FailProvisioning(tx, *instance, Now(), "no capacity in the rack");
  });
  Instance failed = GetInstance(id);
  EXPECT_EQ(failed.status, InstanceStatus::kCreateFailed);
  EXPECT_EQ(failed.released_at, kStart);
  EXPECT_EQ(ListStatus(failed.status), "Deleted");
  auto refunds = Ledger("acct-a", LedgerKind::kRefund);
  ASSERT_EQ(refunds.size(), 1u);
  EXPECT_EQ(refunds[0].amount, cost);
  EXPECT_EQ(refunds[0].instance_id, id);
  EXPECT_EQ(GetAccount("acct-a").balance, opening);
  EXPECT_EQ(Allocated(), 0);
  EXPECT_TRUE(Deployments(id).empty());
  EXPECT_TRUE(PendingTransitions(id).empty());

  AdvanceBy(kDay);  // the cancelled provisioning never runs
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kCreateFailed);
  EXPECT_EQ(GetAccount("acct-a").balance, opening);
}

TEST_F(LifecycleTest, FailedPostpaidProvisioningRefundsNothingBecauseNothingWasCharged) {
  const Money opening = 1'000'000;
  Tenant tenant = AddTenant("acct-a", opening);
  std::string id = Buy(tenant, Postpaid(tenant));
  Write([&](store::Transaction& tx) {
    auto instance = tx.GetInstance(id);
    ASSERT_TRUE(instance.has_value());
    FailProvisioning(tx, *instance, Now(), "boom");
  });
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kCreateFailed);
  EXPECT_TRUE(Ledger("acct-a", LedgerKind::kRefund).empty());
  EXPECT_EQ(GetAccount("acct-a").balance, opening);
  AdvanceBy(3 * kHour);
  EXPECT_TRUE(Ledger("acct-a", LedgerKind::kPostpaid).empty());
  EXPECT_EQ(Allocated(), 0);
}

// --- injected faults and orders ----------------------------------------------------------------

TEST_F(LifecycleTest, InjectedProvisioningFaultFailsTheAcceptedPurchaseWithAFullRefund) {
  const Money opening = 10'000'000;
  Tenant tenant = AddTenant("acct-a", opening);
  Write([&](store::Transaction& tx) {
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kProvision, "bj", "gpu-1", 1}).ok());
  });
  std::string failing = Buy(tenant, Prepaid(tenant, 2));
  // Taken when accepted: the purchase succeeded, the unit is Creating, the fault is used up.
  EXPECT_EQ(GetInstance(failing).status, InstanceStatus::kCreating);
  EXPECT_TRUE(GetInstance(failing).pending_fault);
  EXPECT_TRUE(Write([](store::Transaction& tx) { return DescribeFaults(tx); }).empty());
  std::string fine = Buy(tenant, Prepaid(tenant, 1));
  EXPECT_EQ(Allocated(), 2 * kUnitsPerReplica);

  AdvanceBy(1);  // the delayed step shows the failure
  Instance failed = GetInstance(failing);
  EXPECT_EQ(failed.status, InstanceStatus::kCreateFailed);
  EXPECT_EQ(failed.start_time, std::nullopt);
  EXPECT_EQ(GetInstance(fine).status, InstanceStatus::kRunning);
  auto refunds = Ledger("acct-a", LedgerKind::kRefund);
  ASSERT_EQ(refunds.size(), 1u);
  EXPECT_EQ(refunds[0].amount, PrepaidCostOf(kUnitsPerReplica, 2));
  auto charge = Ledger("acct-a", LedgerKind::kPrepaid, failing);
  ASSERT_EQ(charge.size(), 1u);
  EXPECT_EQ(refunds[0].order_id, charge[0].order_id) << "the refund names the purchase order";
  EXPECT_EQ(GetAccount("acct-a").balance, opening - PrepaidCostOf(kUnitsPerReplica, 1));
  EXPECT_EQ(Allocated(), kUnitsPerReplica);
  EXPECT_TRUE(Deployments(failing).empty());
}

TEST_F(LifecycleTest, FaultsAreTakenOncePerUseMostSpecificPoolFirst) {
  Write([&](store::Transaction& tx) {
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kProvision, "", "", 1}).ok());
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kProvision, "bj", "", 2}).ok());
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kReconfigure, "bj", "gpu-1", 1}).ok());
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kDeploy, "", "gpu-2", 1}).ok());
    // Injecting the same key again adds uses.
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kProvision, "", "", 1}).ok());
    EXPECT_FALSE(InjectFault(tx, Fault{FaultOperation::kProvision, "mars", "", 1}).ok());
    EXPECT_FALSE(InjectFault(tx, Fault{FaultOperation::kProvision, "", "gpu-9", 1}).ok());
    EXPECT_FALSE(InjectFault(tx, Fault{FaultOperation::kProvision, "", "", 0}).ok());
  });
  auto faults = Write([](store::Transaction& tx) { return DescribeFaults(tx); });
  ASSERT_EQ(faults.size(), 4u);
  EXPECT_EQ(faults[0].operation, FaultOperation::kDeploy);
  Write([&](store::Transaction& tx) {
    // Another operation's or another pool's fault is never taken.
    EXPECT_FALSE(TakeFault(tx, FaultOperation::kReconfigure, "gz", "gpu-1"));
    EXPECT_FALSE(TakeFault(tx, FaultOperation::kDeactivate, "bj", "gpu-1"));
    EXPECT_TRUE(TakeFault(tx, FaultOperation::kReconfigure, "bj", "gpu-1"));
    EXPECT_FALSE(TakeFault(tx, FaultOperation::kReconfigure, "bj", "gpu-1"));
    EXPECT_TRUE(TakeFault(tx, FaultOperation::kDeploy, "sz", "gpu-2"));
    // bj first (two uses), then the any-pool fault (two uses), then none.
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(TakeFault(tx, FaultOperation::kProvision, "bj", "cpu"));
    EXPECT_FALSE(TakeFault(tx, FaultOperation::kProvision, "bj", "cpu"));
  });
  EXPECT_TRUE(Write([](store::Transaction& tx) { return DescribeFaults(tx); }).empty());
  Write([&](store::Transaction& tx) {
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kDeactivate, "", "", 3}).ok());
    ClearFaults(tx);
    EXPECT_TRUE(DescribeFaults(tx).empty());
  });
}

TEST_F(LifecycleTest, InjectedFaultsSurviveARestart) {
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  Write([&](store::Transaction& tx) {
    EXPECT_TRUE(InjectFault(tx, Fault{FaultOperation::kProvision, "", "", 1}).ok());
  });
  Restart();
  std::string id = Buy(tenant, Postpaid(tenant));
  Restart();
  AdvanceBy(1);
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kCreateFailed);
  EXPECT_TRUE(Ledger("acct-a", LedgerKind::kRefund).empty()) << "a Postpaid unit cost nothing";
  EXPECT_EQ(GetAccount("acct-a").balance, 10'000'000);
}

TEST_F(LifecycleTest, PurchasesAndRenewalsOpenOrdersNamedOnTheirLedgerEntries) {
  Tenant tenant = AddTenant("acct-a", 100'000'000);
  auto bought = store_->Write<PurchaseResult>([&](store::Transaction& tx) {
    return PurchaseComputeUnit(tx, tenant.principal, Prepaid(tenant, 1, /*auto_renew=*/true),
                               config_, Now());
  });
  ASSERT_TRUE(bought.ok());
  EXPECT_EQ(bought->order_id.size(), 20u);
  EXPECT_EQ(bought->order_id.rfind("ord-", 0), 0u);
  for (char c : bought->order_id.substr(4)) EXPECT_TRUE(std::isdigit(c) || std::islower(c)) << c;
  EXPECT_EQ(GetInstance(bought->instance_id).order_id, bought->order_id);
  auto purchase = Ledger("acct-a", LedgerKind::kPrepaid);
  ASSERT_EQ(purchase.size(), 1u);
  EXPECT_EQ(purchase[0].order_id, bought->order_id);
  AdvanceBy(1);
  AdvanceTo(GetInstance(bought->instance_id).expired_time.value_or(0));
  auto renewals = Ledger("acct-a", LedgerKind::kRenewal);
  ASSERT_EQ(renewals.size(), 1u);
  EXPECT_EQ(renewals[0].order_id.rfind("ord-", 0), 0u);
  EXPECT_NE(renewals[0].order_id, bought->order_id) << "a renewal is an order of its own";
  // The opening top-up pays for no order.
  EXPECT_EQ(Ledger("acct-a", LedgerKind::kTopup).at(0).order_id, "");
}

TEST_F(LifecycleTest, PostpaidPurchaseWithAReleaseTimeIsReleasedThen) {
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  PurchaseOrder order = Postpaid(tenant);
  order.billing.release_time = kStart + 2 * kHour;
  std::string id = Buy(tenant, order);
  EXPECT_EQ(GetInstance(id).release_time, kStart + 2 * kHour);
  AdvanceBy(3 * kHour);
  Instance released = GetInstance(id);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, kStart + 2 * kHour);
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPostpaid)),
            -PostpaidUsageOf(kUnitsPerReplica, 2 * kHour - 1));
  order.billing.release_time = Now();  // not in the future
  auto refused = store_->Write<PurchaseResult>([&](store::Transaction& tx) {
    return PurchaseComputeUnit(tx, tenant.principal, order, config_, Now());
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidParameter);
}

TEST_F(LifecycleTest, UnitPagesAreNewestFirstAndStableWhileUnitsAreAdded) {
  Tenant a = AddTenant("acct-a", 100'000'000);
  Tenant b = AddTenant("acct-b", 100'000'000);
  std::vector<std::string> bought;  // oldest first
  for (int i = 0; i < 5; ++i) bought.push_back(Buy(i % 2 ? b : a, Postpaid(i % 2 ? b : a)));
  auto page = [&](store::UnitQuery q) {
    return Write([&](store::Transaction& tx) { return ListUnitPage(tx, q); });
  };
  store::UnitQuery query;
  query.limit = 2;
  UnitPage first = page(query);
  ASSERT_EQ(first.units.size(), 2u);
  EXPECT_EQ(first.units[0].instance.instance_id, bought[4]);
  EXPECT_EQ(first.units[1].instance.instance_id, bought[3]);
  EXPECT_EQ(first.units[0].used_units, kUnitsPerReplica);
  ASSERT_TRUE(first.next.has_value());
  Buy(a, Postpaid(a));  // a newer unit does not shift the next page
  query.after = first.next;
  UnitPage second = page(query);
  ASSERT_EQ(second.units.size(), 2u);
  EXPECT_EQ(second.units[0].instance.instance_id, bought[2]);
  query.after = second.next;
  UnitPage last = page(query);
  ASSERT_EQ(last.units.size(), 1u);
  EXPECT_EQ(last.units[0].instance.instance_id, bought[0]);
  EXPECT_FALSE(last.next.has_value());

  store::UnitQuery only_b;
  only_b.account_id = "acct-b";
  EXPECT_EQ(page(only_b).units.size(), 2u);
  store::UnitQuery creating;
  creating.status = InstanceStatus::kRunning;
  EXPECT_TRUE(page(creating).units.empty());
  AdvanceBy(1);
  EXPECT_EQ(page(creating).units.size(), 6u);
  store::UnitQuery elsewhere;
  elsewhere.region = "gz";
  EXPECT_TRUE(page(elsewhere).units.empty());
}

// --- units not tied to a service, release, auto-renew rules -------------------------------------

TEST(ChooseRegionTest, MostFreeUnitsThatCanHoldThePurchaseTiesByName) {
  std::vector<Pool> pools{{"sz", "gpu-1", 10, 2},  {"bj", "gpu-1", 10, 4}, {"gz", "gpu-1", 8, 0},
                          {"yq", "gpu-2", 100, 0}, {"bd", "gpu-1", 3, 0}};
  EXPECT_EQ(ChooseRegion(pools, "gpu-1", 1), "gz");  // gz and sz both have 8 free: name decides
  EXPECT_EQ(ChooseRegion(pools, "gpu-1", 8), "gz");
  EXPECT_EQ(ChooseRegion(pools, "gpu-1", 9), std::nullopt);
  EXPECT_EQ(ChooseRegion(pools, "gpu-2", 100), "yq");
  EXPECT_EQ(ChooseRegion(pools, "cpu", 1), std::nullopt);
  pools.push_back({"bj", "cpu", 0, 0});
  EXPECT_EQ(ChooseRegion(pools, "cpu", 1), std::nullopt) << "an empty pool holds nothing";
}

class LifecycleUnitsTest : public LifecycleTest {
 protected:
  void SetUp() override {
    LifecycleTest::SetUp();
    tenant_ = AddTenant("acct-a", 100'000'000);
    Write([](store::Transaction& tx) { tx.SetPoolTotal("gz", "gpu-1", 100); });
  }
  Result<PurchaseResult> TryBuyUnits(std::int64_t count, const std::string& region = "",
                                     PaymentTiming timing = PaymentTiming::kPostpaid,
                                     const std::string& token = "") {
    UnitPurchaseOrder order;
    order.count = count;
    order.type = "gpu-1";
    order.region = region;
    order.billing.payment_timing = timing;
    order.billing.reservation_months = timing == PaymentTiming::kPrepaid ? 1 : 0;
    order.client_token = token;
    return store_->Write<PurchaseResult>([&](store::Transaction& tx) {
      return PurchaseUnits(tx, tenant_.principal, order, config_, Now());
    });
  }
  std::string BuyUnits(std::int64_t count, const std::string& region = "",
                       PaymentTiming timing = PaymentTiming::kPostpaid) {
    auto bought = TryBuyUnits(count, region, timing);
    EXPECT_TRUE(bought.ok()) << (bought.ok() ? "" : bought.error().message);
    return bought.ok() ? bought->instance_id : "";
  }
  Status Release(const std::string& id, const std::string& service_id = "") {
    return store_->Write<Ok>([&](store::Transaction& tx) {
      return ReleaseComputeUnit(tx, tenant_.principal, id, service_id, config_, Now());
    });
  }
  Status Renew(const std::string& id, int months) {
    return store_->Write<Ok>([&](store::Transaction& tx) {
      return CreateAutoRenewRule(tx, tenant_.principal, id, months);
    });
  }
  Status StopRenewing(const std::string& id) {
    return store_->Write<Ok>([&](store::Transaction& tx) {
      return DeleteAutoRenewRule(tx, tenant_.principal, id);
    });
  }
  Tenant tenant_;
};

TEST_F(LifecycleUnitsTest, UnitsWithoutAServiceGoWhereMostAreFreeAndStartWithNoService) {
  std::string auto_placed = BuyUnits(5);  // gz has 100 free, bj 64
  Instance unit = GetInstance(auto_placed);
  EXPECT_EQ(unit.region, "gz");
  EXPECT_EQ(unit.total_units, 5);
  EXPECT_EQ(unit.service_id, "");
  EXPECT_TRUE(Deployments(auto_placed).empty());
  EXPECT_EQ(GetInstance(BuyUnits(2, "bj")).region, "bj");
  auto too_many = TryBuyUnits(96);  // gz has 95 free now, bj 62
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kInsufficientInventory);
  EXPECT_EQ(GetInstance(BuyUnits(62, "", PaymentTiming::kPrepaid)).region, "gz");
  EXPECT_EQ(Ledger("acct-a", LedgerKind::kPrepaid).back().amount, -PrepaidCostOf(62, 1));
}

TEST_F(LifecycleUnitsTest, OneTokenNamespaceAcrossPurchaseActions) {
  auto first = TryBuyUnits(1, "", PaymentTiming::kPostpaid, "shared");
  ASSERT_TRUE(first.ok());
  auto retry = TryBuyUnits(1, "", PaymentTiming::kPostpaid, "shared");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->instance_id, first->instance_id);
  EXPECT_EQ(retry->order_id, first->order_id);
  // The same token on a purchase for a service, even one that would buy the same units.
  PurchaseOrder for_service = Postpaid(tenant_);
  for_service.client_token = "shared";
  auto other_action = store_->Write<PurchaseResult>([&](store::Transaction& tx) {
    return PurchaseComputeUnit(tx, tenant_.principal, for_service, config_, Now());
  });
  ASSERT_FALSE(other_action.ok());
  EXPECT_EQ(other_action.error().code, ErrorCode::kIdempotentParameterMismatch);
  // An explicit region is another request than an automatic one.
  auto explicit_region = TryBuyUnits(1, "gz", PaymentTiming::kPostpaid, "shared");
  ASSERT_FALSE(explicit_region.ok());
  EXPECT_EQ(explicit_region.error().code, ErrorCode::kIdempotentParameterMismatch);
}

// CreateService with resourceConfig buys its unit in the same transaction, placed as a
// /v2/computeunit purchase would be, and shares the account's clientToken namespace.
TEST_F(LifecycleUnitsTest, AServiceBoughtWithItsUnitIsPlacedAndDeployedInOneGo) {
  auto create = [&](NewService request) {
    return store_->Write<std::string>([&](store::Transaction& tx) {
      return CreateService(tx, tenant_.principal, request, config_, Now());
    });
  };
  NewService request;
  request.name = "ab";
  request.description = "c";
  request.resources = ServiceResources{"", "gpu-1", 4, 3, {}};
  request.client_token = "svc-token";
  auto created = create(request);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto service = Write([&](store::Transaction& tx) { return tx.GetService(*created); });
  ASSERT_TRUE(service.has_value());
  EXPECT_EQ(service->region, "gz") << "gz has 100 free units, bj 64";
  EXPECT_EQ(service->units_per_replica, 4);
  auto deployments = Write(
      [&](store::Transaction& tx) { return tx.ListDeploymentsOfService(*created); });
  ASSERT_EQ(deployments.size(), 1u);
  EXPECT_EQ(deployments[0].replicas, 3);
  EXPECT_EQ(deployments[0].deployed_units, 12);
  Instance unit = GetInstance(deployments[0].instance_id);
  EXPECT_EQ(unit.service_id, *created);
  EXPECT_EQ(unit.total_units, 12);
  EXPECT_EQ(unit.region, "gz");

  // The retry returns the first service; fields are told apart even when their texts join
  // alike ("ab" + "c" against "a" + "bc").
  auto again = create(request);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *created);
  NewService shifted = request;
  shifted.name = "a";
  shifted.description = "bc";
  auto mismatch = create(shifted);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kIdempotentParameterMismatch);
  // An automatic region is another request than the region it chose.
  NewService placed = request;
  placed.resources->region = "gz";
  EXPECT_EQ(create(placed).error().code, ErrorCode::kIdempotentParameterMismatch);
  // The token is the purchases' too.
  auto purchase = TryBuyUnits(1, "", PaymentTiming::kPostpaid, "svc-token");
  ASSERT_FALSE(purchase.ok());
  EXPECT_EQ(purchase.error().code, ErrorCode::kIdempotentParameterMismatch);

  // A refused purchase leaves no service behind: the write is one transaction.
  NewService too_big = request;
  too_big.client_token = "";
  too_big.resources->replicas = 100;  // 400 units: no region has them
  auto refused = create(too_big);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInsufficientInventory);
  EXPECT_EQ(Write([&](store::Transaction& tx) { return tx.ListServices("acct-a").size(); }), 2u)
      << "the tenant's bootstrap service and the one created";
}

TEST_F(LifecycleUnitsTest, ReleaseRulesOfBothForms) {
  std::string creating = BuyUnits(3);
  ASSERT_TRUE(Release(creating).ok()) << "a Creating unit may be released";
  EXPECT_EQ(GetInstance(creating).status, InstanceStatus::kReleased);
  EXPECT_TRUE(PendingTransitions(creating).empty()) << "provisioning is cancelled";
  EXPECT_TRUE(Release(creating).ok()) << "a retried release succeeds";

  std::string for_service = Buy(tenant_, Postpaid(tenant_, 2));
  std::string prepaid = Buy(tenant_, Prepaid(tenant_, 1));
  std::string unrelated = BuyUnits(1);
  AdvanceBy(1);
  AdvanceBy(kHour / 2);
  auto refused = Release(prepaid);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOperationNotAllowed);
  auto wrong_service = Release(unrelated, tenant_.service_id);
  ASSERT_FALSE(wrong_service.ok());
  EXPECT_EQ(wrong_service.error().code, ErrorCode::kResourceNotFound);

  Money before = GetAccount("acct-a").balance;
  ASSERT_TRUE(Release(for_service, tenant_.service_id).ok());
  Instance released = GetInstance(for_service);
  EXPECT_EQ(released.status, InstanceStatus::kReleased);
  EXPECT_EQ(released.released_at, Now());
  EXPECT_TRUE(Deployments(for_service).empty()) << "its deployment ended";
  // The account settles at once, for all its Postpaid units: this one and `unrelated`.
  EXPECT_EQ(before - GetAccount("acct-a").balance,
            PostpaidUsageOf(2 * kUnitsPerReplica + 1, kHour / 2)) << "settled up to now";
  // The service still finds the unit it served: a retry by service succeeds, the list shows it.
  EXPECT_TRUE(Release(for_service, tenant_.service_id).ok());
  auto listed = store_->Read<std::vector<ServiceUnitView>>([&](store::Transaction& tx) {
    return ListComputeUnits(tx, tenant_.principal, tenant_.service_id, std::nullopt, config_,
                            Now());
  });
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  // replicasCount is the service's replicas on the unit now: none on the released one, while
  // the purchase record still says 2.
  for (const ServiceUnitView& unit : *listed) {
    EXPECT_EQ(unit.replicas, unit.instance.instance_id == for_service ? 0 : 1)
        << unit.instance.instance_id;
  }
  EXPECT_EQ(GetInstance(for_service).replicas_count, 2);
  auto detail = store_->Read<ServiceUnitView>([&](store::Transaction& tx) {
    return DescribeServiceUnit(tx, tenant_.principal, tenant_.service_id, for_service, config_,
                               Now());
  });
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->replicas, 0);
  EXPECT_EQ(detail->instance.status, InstanceStatus::kReleased);
  // ... until the retention window ends.
  AdvanceBy(config_.list_retention_seconds + 1);
  auto forgotten = Release(for_service, tenant_.service_id);
  ASSERT_FALSE(forgotten.ok());
  EXPECT_EQ(forgotten.error().code, ErrorCode::kResourceNotFound);
  // Another account's unit is not found.
  Tenant b = AddTenant("acct-b", 100'000'000);
  std::string theirs = Buy(b, Postpaid(b));
  auto stranger = Release(theirs);
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().code, ErrorCode::kResourceNotFound);
}

TEST_F(LifecycleUnitsTest, AccountListHidesOtherAccountsAndUnitsPastRetention) {
  std::string gone = BuyUnits(1, "gz");
  std::string kept = BuyUnits(1, "bj");
  std::string bought_for_service = Buy(tenant_, Postpaid(tenant_));
  Tenant b = AddTenant("acct-b", 100'000'000);
  Buy(b, Postpaid(b));
  ASSERT_TRUE(Release(gone).ok());
  auto ids = [&](store::UnitQuery q) {
    std::vector<std::string> out;
    for (const auto& d :
         Write([&](store::Transaction& tx) {
           return ListAccountUnits(tx, tenant_.principal, q, config_, Now());
         }).units) {
      out.push_back(d.instance.instance_id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{bought_for_service, kept, gone}));
  store::UnitQuery in_gz;
  in_gz.region = "gz";
  EXPECT_EQ(ids(in_gz), V{gone});
  AdvanceBy(config_.list_retention_seconds + 1);
  EXPECT_EQ(ids({}), (V{bought_for_service, kept}));
}

TEST_F(LifecycleUnitsTest, AutoRenewRulesAreWhatExpiryUses) {
  std::string id = BuyUnits(2, "bj", PaymentTiming::kPrepaid);
  AdvanceBy(1);
  ASSERT_TRUE(Renew(id, 2).ok());
  ASSERT_TRUE(Renew(id, 3).ok()) << "a rule is replaced";
  Instance unit = GetInstance(id);
  EXPECT_TRUE(unit.auto_renew);
  EXPECT_EQ(unit.auto_renew_months, 3);
  const UnixSeconds first_expiry = *unit.expired_time;
  AdvanceTo(first_expiry);
  unit = GetInstance(id);
  EXPECT_EQ(unit.status, InstanceStatus::kRunning);
  EXPECT_EQ(unit.expired_time, AddCalendarMonths(*unit.start_time, 4));
  EXPECT_EQ(Ledger("acct-a", LedgerKind::kRenewal).at(0).amount, -PrepaidCostOf(2, 3));
  ASSERT_TRUE(StopRenewing(id).ok());
  AdvanceTo(*unit.expired_time);
  EXPECT_EQ(GetInstance(id).status, InstanceStatus::kReleased);
  EXPECT_EQ(Ledger("acct-a", LedgerKind::kRenewal).size(), 1u);
  // Only live Prepaid units take a rule.
  auto released = Renew(id, 1);
  ASSERT_FALSE(released.ok());
  EXPECT_EQ(released.error().code, ErrorCode::kOperationNotAllowed);
  auto postpaid = Renew(BuyUnits(1), 1);
  ASSERT_FALSE(postpaid.ok());
  EXPECT_EQ(postpaid.error().code, ErrorCode::kOperationNotAllowed);
}

// --- catching up --------------------------------------------------------------------------------

// Checks, for units bought at kStart and left alone, that one long clock jump (or a restart in
// between) ran every transition exactly once and in time order.
class LifecycleCatchUpTest : public LifecycleTest {
 protected:
  void SetUp() override {
    LifecycleTest::SetUp();
    tenant_ = AddTenant("acct-a", 100'000'000);
    // Releases at its first expiry, Feb 28.
    plain_ = Buy(tenant_, Prepaid(tenant_, 1));
    // Renews monthly: Feb 28, Mar 31, Apr 30, ...
    renewing_ = Buy(tenant_, Prepaid(tenant_, 1, /*auto_renew=*/true));
    // Settles hourly until its release at kStarted + 5 h 30 min - 1 s.
    releasing_ = Buy(tenant_, Postpaid(tenant_));
    ASSERT_TRUE(SetRelease(tenant_, releasing_, kStart + 5 * kHour + 1800).ok());
    // Settles hourly throughout.
    hourly_ = Buy(tenant_, Postpaid(tenant_));
  }

  // The state of everything at `end`, however the clock got there.
  void ExpectCaughtUpTo(UnixSeconds end) {
    EXPECT_EQ(Now(), end);
    Instance plain = GetInstance(plain_);
    EXPECT_EQ(plain.status, InstanceStatus::kReleased);
    EXPECT_EQ(plain.released_at, At("2025-02-28T10:00:00Z"));

    Instance renewing = GetInstance(renewing_);
    EXPECT_EQ(renewing.status, InstanceStatus::kRunning);
    EXPECT_EQ(renewing.expired_time, At("2025-05-31T10:00:00Z"));
    EXPECT_EQ(Times(Ledger("acct-a", LedgerKind::kRenewal, renewing_)),
              (std::vector<UnixSeconds>{At("2025-02-28T10:00:00Z"), At("2025-03-31T10:00:00Z"),
                                        At("2025-04-30T10:00:00Z")}));

    const UnixSeconds release_at = kStart + 5 * kHour + 1800;
    EXPECT_EQ(GetInstance(releasing_).released_at, release_at);
    // One account settlement per hour of the grid, no gaps, no repeats, and one at the release.
    std::vector<UnixSeconds> expected_times;
    for (UnixSeconds t = kStarted + kHour; t <= end; t += kHour) {
      if (t > release_at && expected_times.back() < release_at) expected_times.push_back(release_at);
      expected_times.push_back(t);
    }
    auto charges = Ledger("acct-a", LedgerKind::kPostpaid);
    EXPECT_EQ(Times(charges), expected_times);
    const UnixSeconds last_grid = kStarted + (end - kStarted) / kHour * kHour;
    EXPECT_EQ(Total(charges), -(PostpaidUsageOf(kUnitsPerReplica, release_at - kStarted) +
                                PostpaidUsageOf(kUnitsPerReplica, last_grid - kStarted)));
    // Each unit's cost stays available, in closed form.
    auto usage = Write([&](store::Transaction& tx) {
      return billing::DescribeUsage(tx, "acct-a", kStart, end, end).value();
    });
    ASSERT_EQ(usage.units.size(), 2u);
    EXPECT_EQ(usage.units[0].instance_id, releasing_);
    EXPECT_EQ(usage.units[0].amount, PostpaidUsageOf(kUnitsPerReplica, release_at - kStarted));
    EXPECT_EQ(usage.units[1].instance_id, hourly_);
    EXPECT_EQ(usage.units[1].amount, PostpaidUsageOf(kUnitsPerReplica, end - kStarted));

    // Applied in time order: the ledger, in the order written, never goes back in time.
    auto all = Ledger("acct-a");
    EXPECT_TRUE(
        std::is_sorted(all.begin(), all.end(),
                       [](const LedgerEntry& a, const LedgerEntry& b) { return a.time < b.time; }));
    EXPECT_EQ(Allocated(), 2 * kUnitsPerReplica);  // renewing_ and hourly_
  }

  const UnixSeconds end_ = At("2025-05-11T12:00:00Z");
  Tenant tenant_;
  std::string plain_, renewing_, releasing_, hourly_;
};

TEST_F(LifecycleCatchUpTest, OneLongJumpRunsEveryDueTransitionOnceInTimeOrder) {
  AdvanceTo(end_);
  ExpectCaughtUpTo(end_);
  // Running the scheduler again finds nothing left to do.
  auto again = scheduler_->RunDue(end_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  ExpectCaughtUpTo(end_);
}

TEST_F(LifecycleCatchUpTest, RestartResumesTheClockAndRunsOverdueTransitionsExactlyOnce) {
  AdvanceTo(kStarted + 3 * kHour);
  Restart();
  EXPECT_EQ(Now(), kStarted + 3 * kHour) << "the virtual clock resumes where it stopped";
  EXPECT_EQ(Ledger("acct-a", LedgerKind::kPostpaid).size(), 3u);

  // While "down", every transition up to end_ became overdue; one advance runs them all.
  AdvanceTo(end_);
  Restart();
  auto again = scheduler_->RunDue(end_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0) << "nothing runs twice after a second restart";
  ExpectCaughtUpTo(end_);
}

TEST_F(LifecycleCatchUpTest, SystemClockSchedulerCatchesUpAfterRestart) {
  AdvanceTo(kStarted + 3 * kHour);
  Restart();
  // A server on the system clock, started long after: its loop calls RunDue(now).
  scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, *clock_, nullptr, config_);
  clock_->Set(end_);
  auto ran = scheduler_->RunDue(end_);
  ASSERT_TRUE(ran.ok());
  EXPECT_GT(*ran, 0);
  auto again = scheduler_->RunDue(end_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  ExpectCaughtUpTo(end_);
}

// Regression (found by this test, now fixed): after a restart the scheduler catches up in the
// background while requests are already served (serve_command starts the HTTP server, then the
// scheduler). DescribeAccount settles every live Postpaid unit "up to now", including one whose
// release time passed while the server was down; the overdue release then runs at its due time but
// the usage up to "now" is already charged. SPEC §5: a released unit stops accruing, and catching
// up after a restart must give the same balances as running on time (lifecycle.h).
TEST_F(LifecycleCatchUpTest, DescribeAccountDuringCatchUpDoesNotChargePastAnOverdueRelease) {
  AdvanceTo(kStarted + 3 * kHour);
  Restart();
  // A server on the system clock, back 10 hours later; a DescribeAccount arrives before its
  // scheduler thread has run the overdue transitions.
  scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, *clock_, nullptr, config_);
  clock_->Set(kStarted + 13 * kHour);
  const std::size_t entries_before = Ledger("acct-a").size();
  Write([&](store::Transaction& tx) {
    EXPECT_TRUE(DescribeAccount(tx, "acct-a", 0, 10, config_, Now()).ok());
  });
  EXPECT_EQ(Ledger("acct-a").size(), entries_before)
      << "with a release overdue, the describe must leave the charge to the catch-up";
  ASSERT_TRUE(scheduler_->RunDue(Now()).ok());

  const UnixSeconds release_at = kStart + 5 * kHour + 1800;
  EXPECT_EQ(GetInstance(releasing_).released_at, release_at);
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPostpaid)),
            -(PostpaidUsageOf(kUnitsPerReplica, release_at - kStarted) +
              PostpaidUsageOf(kUnitsPerReplica, 13 * kHour)))
      << "charged for hours after its release time";
}

// --- describe and list --------------------------------------------------------------------------

TEST_F(LifecycleTest, DescribeAccountSettlesPostpaidUpToNowAndPagesTheLedger) {
  const Money opening = 1'000'000;
  Tenant tenant = AddTenant("acct-a", opening);
  Buy(tenant, Postpaid(tenant));
  AdvanceBy(1);
  const UnixSeconds now = kStarted + 2 * kHour + 600;
  AdvanceTo(now);
  EXPECT_EQ(Ledger("acct-a").size(), 3u);  // opening top-up and two hourly settlements

  auto describe = [&](std::int64_t before_id, int limit) {
    return Write([&](store::Transaction& tx) {
      auto statement = DescribeAccount(tx, "acct-a", before_id, limit, config_, Now());
      EXPECT_TRUE(statement.ok());
      return statement.ok() ? *statement : AccountStatement{};
    });
  };
  AccountStatement first = describe(0, 2);
  const Money usage = PostpaidUsageOf(kUnitsPerReplica, now - kStarted);
  EXPECT_EQ(first.account.balance, opening - usage);
  EXPECT_FALSE(first.account.in_arrears_since.has_value());
  ASSERT_EQ(first.entries.size(), 2u);
  EXPECT_EQ(first.entries[0].kind, LedgerKind::kPostpaid);
  EXPECT_EQ(first.entries[0].time, now);
  EXPECT_EQ(first.entries[0].amount, -(usage - 2 * kPostpaidPerUnitHour * kUnitsPerReplica));
  EXPECT_EQ(first.entries[1].time, kStarted + 2 * kHour);
  EXPECT_NE(first.next_marker, 0);

  AccountStatement second = describe(first.next_marker, 2);
  ASSERT_EQ(second.entries.size(), 2u);
  EXPECT_EQ(second.entries[0].time, kStarted + kHour);
  EXPECT_EQ(second.entries[1].kind, LedgerKind::kTopup);
  EXPECT_EQ(second.entries[1].amount, opening);
  EXPECT_EQ(second.next_marker, 0) << "the last page has no marker";
  EXPECT_EQ(second.account.balance, first.account.balance) << "describing again charges nothing";
  EXPECT_EQ(Ledger("acct-a").size(), 4u);

  // The next periodic settlement charges only what the describe did not.
  AdvanceTo(kStarted + 3 * kHour);
  EXPECT_EQ(Total(Ledger("acct-a", LedgerKind::kPostpaid)),
            -PostpaidUsageOf(kUnitsPerReplica, 3 * kHour));
}

TEST_F(LifecycleTest, DescribeComputeUnitShowsTheServiceDeployedOnIt) {
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  std::string id = Buy(tenant, Prepaid(tenant, 1, false, 1, /*replicas=*/3));
  auto describe = [&] {
    return Write([&](store::Transaction& tx) {
      auto detail = DescribeComputeUnit(tx, tenant.principal, id);
      EXPECT_TRUE(detail.ok());
      return detail.ok() ? *detail : ComputeUnitDetail{};
    });
  };
  ComputeUnitDetail creating = describe();
  ASSERT_EQ(creating.services.size(), 1u);
  EXPECT_EQ(creating.services[0].service.service_id, tenant.service_id);
  EXPECT_EQ(creating.services[0].deployed_units, 3 * kUnitsPerReplica);
  EXPECT_EQ(creating.services[0].run_status, "Deploying");
  EXPECT_EQ(creating.used_units, 3 * kUnitsPerReplica);
  EXPECT_EQ(creating.services[0].scale_status, ScaleStatus::kScalingOut);
  AdvanceBy(1);  // Running: the replicas take the deploy delay (1 s) to come up
  EXPECT_EQ(describe().services[0].run_status, "Deploying");
  AdvanceBy(1);
  EXPECT_EQ(describe().services[0].run_status, "Serving");
  EXPECT_EQ(describe().services[0].scale_status, ScaleStatus::kNone);
  AdvanceTo(At("2025-02-28T10:00:01Z"));
  ComputeUnitDetail released = describe();
  EXPECT_EQ(released.instance.status, InstanceStatus::kReleased);
  EXPECT_TRUE(released.services.empty()) << "its deployments ended with it";
  EXPECT_EQ(released.used_units, 0);
}

TEST_F(LifecycleTest, ListShowsReleasedUnitsAsDeletedWithinRetentionThenHidesThem) {
  Tenant tenant = AddTenant("acct-a", 10'000'000);
  std::string released = Buy(tenant, Postpaid(tenant));
  ASSERT_TRUE(SetRelease(tenant, released, kStart + kHour).ok());
  std::string kept = Buy(tenant, Prepaid(tenant, 3));

  auto list = [&] {
    auto instances = Write([&](store::Transaction& tx) {
      auto listed =
          ListComputeUnits(tx, tenant.principal, tenant.service_id, std::nullopt, config_, Now());
      EXPECT_TRUE(listed.ok());
      return listed.ok() ? *listed : std::vector<ServiceUnitView>{};
    });
    std::vector<std::string> shown;
    for (const ServiceUnitView& unit : instances) {
      const Instance& i = unit.instance;
      shown.push_back(i.instance_id + ":" + std::string(ListStatus(i.status)));
    }
    return shown;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list(), (V{kept + ":Creating", released + ":Creating"})) << "newest first";
  AdvanceBy(1);
  EXPECT_EQ(list(), (V{kept + ":Running", released + ":Running"}));

  const UnixSeconds release_at = kStart + kHour;
  AdvanceTo(release_at);
  EXPECT_EQ(list(), (V{kept + ":Running", released + ":Deleted"}));
  AdvanceTo(release_at + config_.list_retention_seconds - 1);
  EXPECT_EQ(list(), (V{kept + ":Running", released + ":Deleted"}));
  AdvanceTo(release_at + config_.list_retention_seconds + 1);
  EXPECT_EQ(list(), V{kept + ":Running"});

  // Filtering by payment timing.
  auto prepaid_only = Write([&](store::Transaction& tx) {
    auto listed = ListComputeUnits(tx, tenant.principal, tenant.service_id, PaymentTiming::kPrepaid,
                                   config_, Now());
    return listed.ok() ? listed->size() : size_t{99};
  });
  EXPECT_EQ(prepaid_only, 1u);
}

// --- idempotency over time ----------------------------------------------------------------------

class LifecycleIdempotencyTest : public LifecycleTest {
 protected:
  void SetUp() override {
    LifecycleTest::SetUp();
    tenant_ = AddTenant("acct-a", 100'000'000);
  }

  PurchaseOrder WithToken(const std::string& client_token) {
    PurchaseOrder order = Prepaid(tenant_, 1);
    order.client_token = client_token;
    return order;
  }
  size_t UnitsBought() { return Ledger("acct-a", LedgerKind::kPrepaid).size(); }

  Tenant tenant_;
};

TEST_F(LifecycleIdempotencyTest, RetryWithinTheWindowReturnsTheFirstResult) {
  std::string first = Buy(tenant_, WithToken("t1"));
  AdvanceBy(config_.idempotency_window_seconds - 10);
  EXPECT_EQ(Buy(tenant_, WithToken("t1")), first);
  EXPECT_EQ(UnitsBought(), 1u);
}

TEST_F(LifecycleIdempotencyTest, EveryCallWithoutATokenBuys) {
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(Buy(tenant_, WithToken("")));
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(UnitsBought(), 5u);
}

TEST_F(LifecycleIdempotencyTest, TheWindowIsTwentyFourHoursOfTheServersClock) {
  EXPECT_EQ(LifecycleConfig{}.idempotency_window_seconds, kDay);
  std::string first = Buy(tenant_, WithToken("t1"));
  AdvanceBy(kDay + 1);
  EXPECT_NE(Buy(tenant_, WithToken("t1")), first);
  EXPECT_EQ(UnitsBought(), 2u);
}

TEST_F(LifecycleIdempotencyTest, OtherParametersOrAnotherAccountsTokenSpace) {
  Buy(tenant_, WithToken("t1"));
  PurchaseOrder other = WithToken("t1");
  other.billing.reservation_months = 2;
  auto mismatch = store_->Write<PurchaseResult>([&](store::Transaction& tx) {
    return PurchaseComputeUnit(tx, tenant_.principal, other, config_, Now());
  });
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kIdempotentParameterMismatch);
  // Another account's identical token is its own.
  Tenant b = AddTenant("acct-b", 100'000'000);
  PurchaseOrder theirs = Prepaid(b, 1);
  theirs.client_token = "t1";
  EXPECT_FALSE(Buy(b, theirs).empty());
  EXPECT_EQ(UnitsBought(), 1u);
}

// Regression (found by this test, now fixed): a clientToken reused after the idempotency window
// buys a new unit (fine), but its record still names the first purchase and is never replaced
// (RememberResult skips an existing record; nothing calls DeleteIdempotencyBefore), so every retry
// of that second purchase buys yet another unit. SPEC §4.1: a retry returns the first result.
TEST_F(LifecycleIdempotencyTest, TokenReusedAfterTheWindowStillMakesItsRetriesIdempotent) {
  Buy(tenant_, WithToken("t1"));
  AdvanceBy(config_.idempotency_window_seconds + kDay);
  std::string second = Buy(tenant_, WithToken("t1"));
  std::string retry = Buy(tenant_, WithToken("t1"));
  EXPECT_EQ(retry, second) << "the retry of the second purchase bought another unit";
  EXPECT_LE(UnitsBought(), 2u);
}

TEST_F(LifecycleIdempotencyTest, ThePurgeDeletesOnlyRecordsPastTheWindow) {
  Buy(tenant_, WithToken("old"));
  AdvanceBy(config_.idempotency_window_seconds - 10);
  std::string recent = Buy(tenant_, WithToken("recent"));
  AdvanceBy(20);  // "old" is past the window, "recent" is not
  ASSERT_TRUE(scheduler_->PurgeExpiredTokens().ok());
  auto record = [&](const std::string& token) {
    return Write([&](store::Transaction& tx) {
      return tx.GetIdempotency("acct-a", MakeClientTokenUse(token, kPurchaseForServiceAction, "")
                                             .token);
    });
  };
  EXPECT_EQ(record("old"), std::nullopt);
  ASSERT_TRUE(record("recent").has_value());
  EXPECT_EQ(Buy(tenant_, WithToken("recent")), recent) << "a live record still answers";
}

TEST(LifecycleListStatusTest, MapsDetailedStatusToTheCoarseListStatus) {
  EXPECT_EQ(ListStatus(InstanceStatus::kCreating), "Creating");
  for (auto s : {InstanceStatus::kRunning, InstanceStatus::kReconfiguring,
                 InstanceStatus::kReconfigureFailed, InstanceStatus::kBillingChanging,
                 InstanceStatus::kReleasing}) {
    EXPECT_EQ(ListStatus(s), "Running") << ToString(s);
  }
  EXPECT_EQ(ListStatus(InstanceStatus::kReleased), "Deleted");
  EXPECT_EQ(ListStatus(InstanceStatus::kCreateFailed), "Deleted");
}

}  // namespace
}  // namespace cuplane::core
