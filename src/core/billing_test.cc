#include "core/billing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>

namespace cuplane::core {
namespace {

constexpr Money kMaxMoney = std::numeric_limits<Money>::max();
constexpr std::int64_t kHour = 3600;

// --- PrepaidCost -----------------------------------------------------------------------------

TEST(PrepaidCostTest, MultipliesPriceUnitsAndMonths) {
  EXPECT_EQ(PrepaidCost(300000, 2, 1), 600000);
  EXPECT_EQ(PrepaidCost(300000, 6, 5), 9000000);
  EXPECT_EQ(PrepaidCost(300000, 2, 12), 7200000);
  EXPECT_EQ(PrepaidCost(1, 1, 1), 1);
}

TEST(PrepaidCostTest, ZeroPriceIsFree) { EXPECT_EQ(PrepaidCost(0, 64, 12), 0); }

TEST(PrepaidCostTest, ZeroUnitsOrMonthsCostNothing) {
  EXPECT_EQ(PrepaidCost(300000, 0, 12), 0);
  EXPECT_EQ(PrepaidCost(300000, 2, 0), 0);
}

TEST(PrepaidCostTest, LargestRepresentableCostIsExact) {
  EXPECT_EQ(PrepaidCost(kMaxMoney, 1, 1), kMaxMoney);
  EXPECT_EQ(PrepaidCost(kMaxMoney / 12, 1, 12), kMaxMoney / 12 * 12);
}

TEST(PrepaidCostTest, OverflowIsNullopt) {
  EXPECT_EQ(PrepaidCost(kMaxMoney, 2, 1), std::nullopt);
  EXPECT_EQ(PrepaidCost(kMaxMoney, 1, 2), std::nullopt);
  EXPECT_EQ(PrepaidCost(kMaxMoney / 12 + 1, 1, 12), std::nullopt);
  // Each pairwise product fits in 64 bits, the triple does not.
  EXPECT_EQ(PrepaidCost(std::int64_t{1} << 40, std::int64_t{1} << 20, 12), std::nullopt);
}

constexpr std::int64_t kTwoTo62 = std::int64_t{1} << 62;

// Regression (found by this test, now fixed): the products are formed in __int128 without a check,
// so price × units × months beyond 2^127 is signed overflow (undefined behaviour). In practice it
// wraps: 2^62 × 2^62 × 16 = 2^128 wraps to 0 and the cost is reported as 0 fen; kMaxMoney ×
// kMaxMoney × 12 wraps to a value that casts to 12 fen. The contract (billing.h) is nullopt on
// overflow. Not reachable through the bootstrap file today (prices <= 10^15, units <= 10^9), but
// nothing in core/ enforces that.
TEST(PrepaidCostTest, OverflowBeyond128BitsIsNullopt) {
  EXPECT_EQ(PrepaidCost(kTwoTo62, kTwoTo62, 16), std::nullopt);
  EXPECT_EQ(PrepaidCost(kMaxMoney, kMaxMoney, 12), std::nullopt);
}

TEST(PrepaidCostTest, NegativeInputsAreRefused) {
  EXPECT_EQ(PrepaidCost(-1, 1, 1), std::nullopt);
  EXPECT_EQ(PrepaidCost(1, -1, 1), std::nullopt);
  EXPECT_EQ(PrepaidCost(1, 1, -1), std::nullopt);
}

// --- PostpaidUsage ---------------------------------------------------------------------------

TEST(PostpaidUsageTest, OneUnitAt500FenPerHour) {
  EXPECT_EQ(PostpaidUsage(500, 1, 1), 0);  // 0.138... fen, rounded down
  EXPECT_EQ(PostpaidUsage(500, 1, 3599), 499);
  EXPECT_EQ(PostpaidUsage(500, 1, kHour), 500);
  EXPECT_EQ(PostpaidUsage(500, 1, 2 * kHour), 1000);
}

TEST(PostpaidUsageTest, ScalesWithUnits) {
  EXPECT_EQ(PostpaidUsage(500, 2, kHour), 1000);
  EXPECT_EQ(PostpaidUsage(500, 64, 30 * 24 * kHour), 500 * 64 * 30 * 24);
}

TEST(PostpaidUsageTest, RoundsDownToTheFen) {
  EXPECT_EQ(PostpaidUsage(500, 1, 8), 1);  // 1.11 fen
  EXPECT_EQ(PostpaidUsage(500, 1, 7), 0);  // 0.97 fen
  EXPECT_EQ(PostpaidUsage(1, 1, kHour - 1), 0);
  EXPECT_EQ(PostpaidUsage(1, 1, kHour), 1);
}

TEST(PostpaidUsageTest, NothingOwedForNoTimeNoUnitsOrNoPrice) {
  EXPECT_EQ(PostpaidUsage(500, 1, 0), 0);
  EXPECT_EQ(PostpaidUsage(500, 0, kHour), 0);
  EXPECT_EQ(PostpaidUsage(0, 1, kHour), 0);
  EXPECT_EQ(PostpaidUsage(500, 1, -kHour), 0);
}

// Regression (found by this test, now fixed): as for PrepaidCost, price × units × seconds is formed
// in __int128 unchecked; 2^62 × 2^62 × 16 wraps to 0, so usage that should saturate at the maximum
// is reported as 0 fen.
TEST(PostpaidUsageTest, HugeProductSaturatesInsteadOfWrapping) {
  EXPECT_EQ(PostpaidUsage(kTwoTo62, kTwoTo62, 16), kMaxMoney);
  EXPECT_GE(PostpaidUsage(kMaxMoney, kMaxMoney, kMaxMoney), 0);
}

// The whole run's usage is never more than the sum of the per-second charges would be, and it
// never goes down as time passes: settlements charge differences of it, so they are >= 0.
TEST(PostpaidUsageTest, IsMonotonicInTime) {
  Money previous = 0;
  for (std::int64_t t = 0; t <= 3 * kHour; ++t) {
    Money usage = PostpaidUsage(500, 3, t);
    ASSERT_GE(usage, previous) << "t=" << t;
    previous = usage;
  }
}

// Settling each period as usage(start..end) - usage(start..previous end) telescopes: the sum
// of the settlements equals the usage of the whole run, with no rounding drift.
TEST(PostpaidUsageTest, CumulativeSettlementsSumToWholeRunUsage) {
  const Money price = 7;  // fen per unit-hour: every period's share has a fraction
  const std::int64_t units = 3;
  const std::int64_t periods[] = {1, 59, 1000, 3599, 1, 3600, 1234, 7};
  std::int64_t elapsed = 0;
  Money settled = 0;
  Money naive = 0;  // rounding each period on its own
  for (std::int64_t period : periods) {
    Money delta =
        PostpaidUsage(price, units, elapsed + period) - PostpaidUsage(price, units, elapsed);
    EXPECT_GE(delta, 0);
    settled += delta;
    naive += PostpaidUsage(price, units, period);
    elapsed += period;
  }
  EXPECT_EQ(settled, PostpaidUsage(price, units, elapsed));
  EXPECT_EQ(settled, price * units * elapsed / kHour);
  // Rounding each period separately would have lost fen; the cumulative scheme does not.
  EXPECT_LT(naive, settled);
}

TEST(PostpaidUsageTest, HourlySettlementsOfOneUnitAt500Sum) {
  Money settled = 0;
  for (std::int64_t hour = 1; hour <= 24; ++hour) {
    settled += PostpaidUsage(500, 1, hour * kHour) - PostpaidUsage(500, 1, (hour - 1) * kHour);
  }
  EXPECT_EQ(settled, 12000);
}

// --- PostpaidPeriodCost ----------------------------------------------------------------------

TEST(PostpaidPeriodCostTest, WholeHoursAreExact) {
  EXPECT_EQ(PostpaidPeriodCost(500, 1, kHour), 500);
  EXPECT_EQ(PostpaidPeriodCost(500, 2, kHour), 1000);
  EXPECT_EQ(PostpaidPeriodCost(500, 1, 2 * kHour), 1000);
}

TEST(PostpaidPeriodCostTest, RoundsUpToTheFen) {
  EXPECT_EQ(PostpaidPeriodCost(500, 1, 1), 1);
  EXPECT_EQ(PostpaidPeriodCost(500, 1, 3599), 500);
  EXPECT_EQ(PostpaidPeriodCost(500, 1, 8), 2);  // 1.11 fen
  EXPECT_EQ(PostpaidPeriodCost(1, 1, 1), 1);
  EXPECT_EQ(PostpaidPeriodCost(7, 3, 1000), 6);  // 5.83 fen
}

TEST(PostpaidPeriodCostTest, NeverLessThanTheUsageOfThePeriod) {
  for (std::int64_t seconds : {1, 7, 8, 59, 1000, 3599, 3600, 3601, 86400}) {
    auto cost = PostpaidPeriodCost(7, 3, seconds);
    ASSERT_TRUE(cost.has_value());
    EXPECT_GE(*cost, PostpaidUsage(7, 3, seconds)) << seconds;
    EXPECT_LE(*cost, PostpaidUsage(7, 3, seconds) + 1) << seconds;
  }
}

TEST(PostpaidPeriodCostTest, ZeroPriceOrPeriodIsFree) {
  EXPECT_EQ(PostpaidPeriodCost(0, 64, kHour), 0);
  EXPECT_EQ(PostpaidPeriodCost(500, 1, 0), 0);
}

TEST(PostpaidPeriodCostTest, OverflowIsNullopt) {
  EXPECT_EQ(PostpaidPeriodCost(kMaxMoney, 2, kHour), std::nullopt);
  EXPECT_EQ(PostpaidPeriodCost(kMaxMoney / 1000, 1000, 2 * kHour), std::nullopt);
}

// Regression (found by this test, now fixed): unchecked __int128 product, as for PrepaidCost: 2^62
// × 2^62 × 16 wraps to 0 and the period is reported as costing 0 fen instead of nullopt.
TEST(PostpaidPeriodCostTest, OverflowBeyond128BitsIsNullopt) {
  EXPECT_EQ(PostpaidPeriodCost(kTwoTo62, kTwoTo62, 16), std::nullopt);
  EXPECT_EQ(PostpaidPeriodCost(kMaxMoney, kMaxMoney, kMaxMoney), std::nullopt);
}

TEST(PostpaidPeriodCostTest, NegativeInputsAreRefused) {
  EXPECT_EQ(PostpaidPeriodCost(-1, 1, kHour), std::nullopt);
  EXPECT_EQ(PostpaidPeriodCost(500, -1, kHour), std::nullopt);
  EXPECT_EQ(PostpaidPeriodCost(500, 1, -1), std::nullopt);
}

}  // namespace
}  // namespace cuplane::core
