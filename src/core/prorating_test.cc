#include "core/prorating.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/time_util.h"

namespace cuplane::core {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr Money kMaxMoney = std::numeric_limits<Money>::max();

UnixSeconds At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

Instance PrepaidUnit(const char* start, int paid_months, int term_months, Money price) {
  Instance unit;
  unit.payment_timing = PaymentTiming::kPrepaid;
  unit.start_time = At(start);
  unit.paid_months = paid_months;
  unit.expired_time = AddCalendarMonths(*unit.start_time, paid_months);
  unit.term_months = term_months;
  unit.term_unit_price = price;
  return unit;
}

// --- CurrentTerm: calendar months -------------------------------------------------------------

TEST(CurrentTermTest, TheReservationIsTheFirstTerm) {
  auto term = CurrentTerm(PrepaidUnit("2025-03-10T08:00:00Z", 3, 3, 300000));
  ASSERT_TRUE(term);
  EXPECT_EQ(term->start, At("2025-03-10T08:00:00Z"));
  EXPECT_EQ(term->end, At("2025-06-10T08:00:00Z"));
  EXPECT_EQ(term->months, 3);
  EXPECT_EQ(term->unit_price, 300000);
}

TEST(CurrentTermTest, January31PlusOneMonthEndsOnTheLastDayOfFebruary) {
  auto leap = CurrentTerm(PrepaidUnit("2024-01-31T00:00:00Z", 1, 1, 1));
  ASSERT_TRUE(leap);
  EXPECT_EQ(leap->end, At("2024-02-29T00:00:00Z"));
  EXPECT_EQ(leap->end - leap->start, 29 * kDay);
  auto common = CurrentTerm(PrepaidUnit("2025-01-31T00:00:00Z", 1, 1, 1));
  ASSERT_TRUE(common);
  EXPECT_EQ(common->end, At("2025-02-28T00:00:00Z"));
  EXPECT_EQ(common->end - common->start, 28 * kDay);
}

TEST(CurrentTermTest, ARenewalIsTheLastMonthsCountedFromTheStart) {
  // Bought Jan 31 for 1 month, renewed for 2: the term runs from Feb 29 (the first expiry) to
  // Jan 31 + 3 months = Apr 30, the expiry, not to Feb 29 + 2 months (Apr 29).
  auto term = CurrentTerm(PrepaidUnit("2024-01-31T12:00:00Z", 3, 2, 310000));
  ASSERT_TRUE(term);
  EXPECT_EQ(term->start, At("2024-02-29T12:00:00Z"));
  EXPECT_EQ(term->end, At("2024-04-30T12:00:00Z"));
  EXPECT_EQ(term->months, 2);
  EXPECT_EQ(term->unit_price, 310000);
}

TEST(CurrentTermTest, NoTermWithoutAPrepaidStart) {
  Instance postpaid = PrepaidUnit("2025-01-01T00:00:00Z", 1, 1, 1);
  postpaid.payment_timing = PaymentTiming::kPostpaid;
  EXPECT_EQ(CurrentTerm(postpaid), std::nullopt);
  Instance creating = PrepaidUnit("2025-01-01T00:00:00Z", 1, 1, 1);
  creating.start_time.reset();
  EXPECT_EQ(CurrentTerm(creating), std::nullopt);
  EXPECT_EQ(CurrentTerm(PrepaidUnit("2025-01-01T00:00:00Z", 1, 0, 1)), std::nullopt);
  EXPECT_EQ(CurrentTerm(PrepaidUnit("2025-01-01T00:00:00Z", 1, 2, 1)), std::nullopt);
}

// --- ProratedCharge / ProratedRefund ----------------------------------------------------------

PrepaidTerm Term(UnixSeconds start, std::int64_t seconds, int months, Money price) {
  return PrepaidTerm{start, start + seconds, months, price};
}

TEST(ProratingTest, HalfOfAOneMonthTermCostsHalfAMonth) {
  PrepaidTerm term = Term(1000, 30 * kDay, 1, 300000);
  EXPECT_EQ(ProratedCharge(term, 2, 1000 + 15 * kDay), 300000);
  EXPECT_EQ(ProratedRefund(term, 2, 1000 + 15 * kDay), 300000);
}

TEST(ProratingTest, TheWholeTermCostsWhatThePurchaseDid) {
  PrepaidTerm term = Term(0, 91 * kDay, 3, 300000);
  EXPECT_EQ(ProratedCharge(term, 4, 0), 300000 * 4 * 3);
  EXPECT_EQ(ProratedCharge(term, 4, -5), 300000 * 4 * 3) << "before the start: the whole term";
  EXPECT_EQ(ProratedRefund(term, 4, 91 * kDay), 0) << "at the end nothing is left";
  EXPECT_EQ(ProratedCharge(term, 4, 92 * kDay), 0);
}

TEST(ProratingTest, ChargesRoundUpAndRefundsRoundDown) {
  // 1 fen × 1 unit × 1 month × 1 s / 3 s = 1/3 fen.
  PrepaidTerm term = Term(0, 3, 1, 1);
  EXPECT_EQ(ProratedCharge(term, 1, 2), 1);
  EXPECT_EQ(ProratedRefund(term, 1, 2), 0);
  // 300000 × 3 × 1 × (29 days − 1 s) / 29 days: just under 900000.
  PrepaidTerm february = Term(0, 29 * kDay, 1, 300000);
  EXPECT_EQ(ProratedCharge(february, 3, 1), 900000);
  EXPECT_EQ(ProratedRefund(february, 3, 1), 899999);
  // Exact fractions are not moved either way.
  EXPECT_EQ(ProratedCharge(february, 3, 29 * kDay - 29 * 3600), 37500);
  EXPECT_EQ(ProratedRefund(february, 3, 29 * kDay - 29 * 3600), 37500);
}

TEST(ProratingTest, ALeapFebruaryAndACommonOneDifferForTheSameRemainingTime) {
  // One day left of a one-month term: 1/29 of a month in 2024, 1/28 in 2025.
  auto leap = *CurrentTerm(PrepaidUnit("2024-01-31T00:00:00Z", 1, 1, 290000));
  auto common = *CurrentTerm(PrepaidUnit("2025-01-31T00:00:00Z", 1, 1, 280000));
  EXPECT_EQ(ProratedCharge(leap, 1, leap.end - kDay), 10000);
  EXPECT_EQ(ProratedCharge(common, 1, common.end - kDay), 10000);
}

TEST(ProratingTest, LargeInputsAreExactIn128Bits) {
  // price × units × months × seconds is far beyond 64 bits, the result is not.
  PrepaidTerm term = Term(0, 31 * kDay, 12, kMaxMoney / 12);
  EXPECT_EQ(ProratedRefund(term, 1, 0), kMaxMoney / 12 * 12);
  EXPECT_EQ(ProratedCharge(term, 1, 0), kMaxMoney / 12 * 12);
}

TEST(ProratingTest, AResultBeyond64BitsIsNullopt) {
  PrepaidTerm term = Term(0, 31 * kDay, 12, kMaxMoney);
  EXPECT_EQ(ProratedCharge(term, 100000, 0), std::nullopt);
  EXPECT_EQ(ProratedRefund(term, 2, 0), std::nullopt);
}

TEST(ProratingTest, NonsenseTermsAreNullopt) {
  EXPECT_EQ(ProratedCharge(Term(10, 0, 1, 1), 1, 0), std::nullopt) << "empty term";
  EXPECT_EQ(ProratedCharge(Term(0, 10, 0, 1), 1, 0), std::nullopt) << "no months";
  EXPECT_EQ(ProratedCharge(Term(0, 10, 1, -1), 1, 0), std::nullopt) << "negative price";
  EXPECT_EQ(ProratedRefund(Term(0, 10, 1, 1), -1, 0), std::nullopt) << "negative units";
}

TEST(ProratingTest, ZeroUnitsOrAFreeTermCostNothing) {
  EXPECT_EQ(ProratedCharge(Term(0, 10, 1, 500), 0, 5), 0);
  EXPECT_EQ(ProratedCharge(Term(0, 10, 1, 0), 7, 5), 0);
}

TEST(RemainingSecondsTest, ClampsToTheTerm) {
  PrepaidTerm term = Term(100, 50, 1, 1);
  EXPECT_EQ(RemainingSeconds(term, 0), 50);
  EXPECT_EQ(RemainingSeconds(term, 120), 30);
  EXPECT_EQ(RemainingSeconds(term, 150), 0);
  EXPECT_EQ(RemainingSeconds(term, 1000), 0);
}

}  // namespace
}  // namespace cuplane::core
