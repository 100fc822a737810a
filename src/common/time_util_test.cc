#include "common/time_util.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cuplane {
namespace {

constexpr UnixSeconds kHour = 3600;
constexpr UnixSeconds kDay = 86400;
constexpr int kPlus8 = 8 * 3600;

// 2030-01-25T04:30:30Z, from `date -u -d 2030-01-25T04:30:30Z +%s`.
constexpr UnixSeconds k20300125T043030Z = 1895545830;
constexpr UnixSeconds k20240101T000000Z = 1704067200;

// The UTC wire form of a parsed time, or "nullopt", so failures print something readable.
std::string Utc(const std::optional<UnixSeconds>& t) { return t ? FormatUtc(*t) : "nullopt"; }

// Parses a UTC wire time the test relies on; fails the test when it does not parse.
UnixSeconds At(const std::string& utc) {
  auto t = ParseRfc3339(utc);
  EXPECT_TRUE(t.has_value()) << utc;
  return t.value_or(0);
}

// --- FormatUtc -------------------------------------------------------------------------------

TEST(FormatUtcTest, FormatsEpoch) { EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z"); }

TEST(FormatUtcTest, FormatsKnownInstants) {
  EXPECT_EQ(FormatUtc(k20240101T000000Z), "2024-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(k20300125T043030Z), "2030-01-25T04:30:30Z");
}

TEST(FormatUtcTest, FormatsLeapDayAndEndOfDay) {
  EXPECT_EQ(FormatUtc(At("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatUtc(At("2024-02-29T23:59:59Z") + 1), "2024-03-01T00:00:00Z");
}

TEST(FormatUtcTest, FormatsBeforeEpoch) { EXPECT_EQ(FormatUtc(-1), "1969-12-31T23:59:59Z"); }

TEST(FormatUtcTest, RoundTripsThroughParseRfc3339) {
  for (UnixSeconds t : {UnixSeconds{0}, k20240101T000000Z, k20300125T043030Z,
                        UnixSeconds{4102444799} /* 2099-12-31T23:59:59Z */}) {
    EXPECT_EQ(ParseRfc3339(FormatUtc(t)), t) << FormatUtc(t);
  }
}

// --- ParseRfc3339 ----------------------------------------------------------------------------

TEST(ParseRfc3339Test, PositiveOffsetIsSubtracted) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+08:00"), k20300125T043030Z);
}

TEST(ParseRfc3339Test, ZuluIsUtc) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30Z"), k20300125T043030Z);
}

TEST(ParseRfc3339Test, LowerCaseTAndZAccepted) {
  EXPECT_EQ(ParseRfc3339("2030-01-25t04:30:30z"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-25t04:30:30Z"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30z"), k20300125T043030Z);
}

TEST(ParseRfc3339Test, ZeroOffsetEqualsZulu) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30+00:00"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30-00:00"), k20300125T043030Z);
}

TEST(ParseRfc3339Test, NegativeOffsetIsAdded) {
  EXPECT_EQ(ParseRfc3339("2030-01-24T23:30:30-05:00"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-24T23:00:30-05:30"), k20300125T043030Z);
}

TEST(ParseRfc3339Test, OffsetCanCrossDateAndYearBoundaries) {
  EXPECT_EQ(Utc(ParseRfc3339("2024-01-01T07:59:59+08:00")), "2023-12-31T23:59:59Z");
  EXPECT_EQ(Utc(ParseRfc3339("2023-12-31T20:00:00-04:00")), "2024-01-01T00:00:00Z");
}

TEST(ParseRfc3339Test, FractionalSecondsAreDropped) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30.5Z"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30.999999999Z"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30.123+08:00"), k20300125T043030Z);
  EXPECT_EQ(ParseRfc3339("2030-01-24T23:30:30.000001-05:00"), k20300125T043030Z);
}

TEST(ParseRfc3339Test, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_EQ(Utc(ParseRfc3339("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00Z");
  EXPECT_EQ(Utc(ParseRfc3339("2000-02-29T00:00:00Z")), "2000-02-29T00:00:00Z");
  EXPECT_EQ(ParseRfc3339("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2100-02-29T00:00:00Z"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsMissingOffset) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30.5"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsBadMonthOrDay) {
  EXPECT_EQ(ParseRfc3339("2030-00-25T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-13-25T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-00T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-32T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-02-30T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-04-31T04:30:30Z"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsOutOfRangeTimeOfDay) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T24:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T23:60:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T23:59:60Z"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsBadOffsets) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+0800"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+08"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+24:00"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+08:60"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30 08:00"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsTrailingGarbage) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30Zx"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30Z "), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+08:00x"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T12:30:30+08:00:00"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsEmptyAndPartialInput) {
  EXPECT_EQ(ParseRfc3339(""), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30Z"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsMalformedFraction) {
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30.Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T04:30:30,5Z"), std::nullopt);
}

TEST(ParseRfc3339Test, RejectsWrongSeparatorsAndWidths) {
  EXPECT_EQ(ParseRfc3339("2030-01-25 04:30:30Z"), std::nullopt);  // plain-local form
  EXPECT_EQ(ParseRfc3339("2030/01/25T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-1-25T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("30-01-25T04:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2030-01-25T4:30:30Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("+2030-01-25T04:30:30Z"), std::nullopt);
}

// --- ParsePlainLocalTime ---------------------------------------------------------------------

TEST(ParsePlainLocalTimeTest, ReadsAtPlusEight) {
  EXPECT_EQ(Utc(ParsePlainLocalTime("2030-01-15 09:30:00", kPlus8)), "2030-01-15T01:30:00Z");
}

TEST(ParsePlainLocalTimeTest, PlusEightCrossesIntoThePreviousDay) {
  EXPECT_EQ(Utc(ParsePlainLocalTime("2030-01-01 07:00:00", kPlus8)), "2029-12-31T23:00:00Z");
}

TEST(ParsePlainLocalTimeTest, ReadsAtUtc) {
  EXPECT_EQ(Utc(ParsePlainLocalTime("2030-01-15 09:30:00", 0)), "2030-01-15T09:30:00Z");
}

TEST(ParsePlainLocalTimeTest, ReadsAtNegativeAndHalfHourOffsets) {
  EXPECT_EQ(Utc(ParsePlainLocalTime("2030-01-15 09:30:00", -5 * 3600)), "2030-01-15T14:30:00Z");
  EXPECT_EQ(Utc(ParsePlainLocalTime("2030-01-15 09:30:00", 5 * 3600 + 1800)),
            "2030-01-15T04:00:00Z");
  EXPECT_EQ(Utc(ParsePlainLocalTime("2030-01-15 23:30:00", -3 * 3600 - 1800)),
            "2030-01-16T03:00:00Z");
}

TEST(ParsePlainLocalTimeTest, AgreesWithRfc3339AtTheSameOffset) {
  EXPECT_EQ(ParsePlainLocalTime("2030-01-25 12:30:30", kPlus8),
            ParseRfc3339("2030-01-25T12:30:30+08:00"));
}

TEST(ParsePlainLocalTimeTest, RejectsMalformedInput) {
  EXPECT_EQ(ParsePlainLocalTime("", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15T09:30:00", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15 09:30:00Z", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15 09:30:00+08:00", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15 09:30", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15  09:30:00", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-02-30 09:30:00", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15 24:00:00", kPlus8), std::nullopt);
  EXPECT_EQ(ParsePlainLocalTime("2030-01-15 09:30:00 ", kPlus8), std::nullopt);
}

// --- ParseUtcOffset --------------------------------------------------------------------------

TEST(ParseUtcOffsetTest, ParsesSignedHoursAndMinutes) {
  EXPECT_EQ(ParseUtcOffset("+08:00"), kPlus8);
  EXPECT_EQ(ParseUtcOffset("-05:30"), -(5 * 3600 + 30 * 60));
  EXPECT_EQ(ParseUtcOffset("+00:00"), 0);
  EXPECT_EQ(ParseUtcOffset("-00:00"), 0);
  EXPECT_EQ(ParseUtcOffset("+05:45"), 5 * 3600 + 45 * 60);
  EXPECT_EQ(ParseUtcOffset("+23:59"), 23 * 3600 + 59 * 60);
}

TEST(ParseUtcOffsetTest, RejectsMalformedOffsets) {
  for (const char* text : {"", "08:00", "+8:00", "+0800", "+08", "+08:0", "+24:00", "+08:60", "Z",
                           "+08:00 ", " +08:00", "+08:00:00", "++08:00", "UTC+8"}) {
    EXPECT_EQ(ParseUtcOffset(text), std::nullopt) << "'" << text << "'";
  }
}

// --- AddCalendarMonths -----------------------------------------------------------------------

std::string PlusMonths(const std::string& utc, int months) {
  return FormatUtc(AddCalendarMonths(At(utc), months));
}

TEST(AddCalendarMonthsTest, KeepsTheDayWhenItExists) {
  EXPECT_EQ(PlusMonths("2024-01-15T00:00:00Z", 1), "2024-02-15T00:00:00Z");
  EXPECT_EQ(PlusMonths("2024-03-31T00:00:00Z", 2), "2024-05-31T00:00:00Z");
}

TEST(AddCalendarMonthsTest, ZeroMonthsIsIdentity) {
  EXPECT_EQ(PlusMonths("2024-01-31T12:34:56Z", 0), "2024-01-31T12:34:56Z");
}

TEST(AddCalendarMonthsTest, ClampsJan31ToFeb28InCommonYear) {
  EXPECT_EQ(PlusMonths("2023-01-31T00:00:00Z", 1), "2023-02-28T00:00:00Z");
}

TEST(AddCalendarMonthsTest, ClampsJan31ToFeb29InLeapYear) {
  EXPECT_EQ(PlusMonths("2024-01-31T00:00:00Z", 1), "2024-02-29T00:00:00Z");
}

TEST(AddCalendarMonthsTest, ClampsMar31ToApr30) {
  EXPECT_EQ(PlusMonths("2024-03-31T00:00:00Z", 1), "2024-04-30T00:00:00Z");
}

TEST(AddCalendarMonthsTest, DecemberRollsIntoNextYear) {
  EXPECT_EQ(PlusMonths("2024-12-15T00:00:00Z", 1), "2025-01-15T00:00:00Z");
  EXPECT_EQ(PlusMonths("2024-12-31T00:00:00Z", 2), "2025-02-28T00:00:00Z");
}

TEST(AddCalendarMonthsTest, TwelveMonthsIsOneYear) {
  EXPECT_EQ(PlusMonths("2024-06-01T08:00:00Z", 12), "2025-06-01T08:00:00Z");
  EXPECT_EQ(PlusMonths("2024-02-29T00:00:00Z", 12), "2025-02-28T00:00:00Z");
}

TEST(AddCalendarMonthsTest, KeepsTimeOfDay) {
  EXPECT_EQ(PlusMonths("2023-01-31T23:59:59Z", 1), "2023-02-28T23:59:59Z");
  EXPECT_EQ(PlusMonths("2024-05-20T13:45:07Z", 3), "2024-08-20T13:45:07Z");
}

TEST(AddCalendarMonthsTest, Aug31PlusSixClampsToFebruary) {
  EXPECT_EQ(PlusMonths("2023-08-31T10:00:00Z", 6), "2024-02-29T10:00:00Z");
  EXPECT_EQ(PlusMonths("2024-08-31T10:00:00Z", 6), "2025-02-28T10:00:00Z");
}

TEST(AddCalendarMonthsTest, ClampsFromTheGivenDaySoStepsDoNotCompose) {
  // One call of +2 from Jan 31 lands on Mar 31; two calls of +1 land on Mar 28, because the
  // second call starts from the clamped Feb 28. Callers extending a reservation must choose.
  EXPECT_EQ(PlusMonths("2023-01-31T00:00:00Z", 2), "2023-03-31T00:00:00Z");
  EXPECT_EQ(PlusMonths(PlusMonths("2023-01-31T00:00:00Z", 1), 1), "2023-03-28T00:00:00Z");
}

TEST(AddCalendarMonthsTest, NegativeMonthsGoBackAndClamp) {
  EXPECT_EQ(PlusMonths("2024-03-31T06:00:00Z", -1), "2024-02-29T06:00:00Z");
  EXPECT_EQ(PlusMonths("2024-01-15T00:00:00Z", -1), "2023-12-15T00:00:00Z");
}

// --- ParseDurationSeconds --------------------------------------------------------------------

TEST(ParseDurationSecondsTest, BareNumberIsSeconds) {
  EXPECT_EQ(ParseDurationSeconds("0"), 0);
  EXPECT_EQ(ParseDurationSeconds("90"), 90);
}

TEST(ParseDurationSecondsTest, Units) {
  EXPECT_EQ(ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(ParseDurationSeconds("0s"), 0);
  EXPECT_EQ(ParseDurationSeconds("15m"), 15 * 60);
  EXPECT_EQ(ParseDurationSeconds("1h"), kHour);
  EXPECT_EQ(ParseDurationSeconds("24h"), kDay);
  EXPECT_EQ(ParseDurationSeconds("7d"), 7 * kDay);
}

TEST(ParseDurationSecondsTest, RejectsEmptyAndUnitOnly) {
  EXPECT_EQ(ParseDurationSeconds(""), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("s"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("h"), std::nullopt);
}

TEST(ParseDurationSecondsTest, RejectsNegative) {
  EXPECT_EQ(ParseDurationSeconds("-1"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("-1s"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("-15m"), std::nullopt);
}

TEST(ParseDurationSecondsTest, RejectsUnknownUnitsAndGarbage) {
  for (const char* text :
       {"1x", "1ms", "1H", "1D", "1 s", " 1", "1 ", "+1", "1h30m", "abc", "0x10", "1e3"}) {
    EXPECT_EQ(ParseDurationSeconds(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(ParseDurationSecondsTest, RejectsFractions) {
  EXPECT_EQ(ParseDurationSeconds("1.5h"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("0.5"), std::nullopt);
}

TEST(ParseDurationSecondsTest, RejectsHugeValuesWithoutOverflow) {
  EXPECT_EQ(ParseDurationSeconds("99999999999999999999"), std::nullopt);  // > int64
  EXPECT_EQ(ParseDurationSeconds("9223372036854775807"), std::nullopt);   // int64 max seconds
  EXPECT_EQ(ParseDurationSeconds("9223372036854775807d"), std::nullopt);  // would overflow
  EXPECT_EQ(ParseDurationSeconds("106751991167301d"), std::nullopt);      // ~int64 max seconds
}

TEST(ParseDurationSecondsTest, AcceptsLongButSaneDurations) {
  EXPECT_EQ(ParseDurationSeconds("3650d"), 3650 * kDay);  // ten years
}

}  // namespace
}  // namespace cuplane
