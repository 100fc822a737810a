// The arithmetic of Postpaid billing, checked against plain per-second sums.
#include "core/billing/accrual.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace cuplane::core::billing {
namespace {

constexpr std::int64_t kHour = 3600;

PostpaidAccount Fresh(UnixSeconds at) {
  PostpaidAccount a;
  a.account_id = "acct";
  a.accrued_until = at;
  return a;
}

// Exact usage as a number of 1/3600 fen, for comparisons.
__int128 Parts(const Usage& u) { return static_cast<__int128>(u.fen) * kHour + u.remainder; }

TEST(AccrualTest, UsageIsExactAndRoundedOnlyWhenCharged) {
  Usage u;
  u = AddUsage(u, 7, 1000);  // 7 fen/h for 1000 s = 1.944... fen
  EXPECT_EQ(u, (Usage{1, 3400}));
  u = AddUsage(u, 7, 1000);
  EXPECT_EQ(u, (Usage{3, 3200}));
  u = AddUsage(u, 7, -2000);  // a correction takes back exactly what was added
  EXPECT_EQ(u, (Usage{0, 0}));
}

TEST(AccrualTest, CumulativeRoundingChargesTheFloorOfTheWholeRunWhateverTheSplit) {
  // 1 fen per hour settled every 1,000 s: each step alone rounds to 0, yet 3.6 steps make a fen.
  PostpaidAccount a = Fresh(0);
  ChangeRate(a, 1, 0);
  Money charged_total = 0;
  for (UnixSeconds t = 1000; t <= 100'000; t += 1000) {
    AccrueTo(a, t);
    Money due = Unsettled(a);
    a.charged += due;
    charged_total += due;
    EXPECT_EQ(charged_total, t / kHour) << "at " << t;
  }
}

TEST(AccrualTest, RateChangesApplyFromTheirMomentEvenWhenAccrualRanAhead) {
  // Usage accrued to t=7200 at 10 fen/h; then a unit that started at 3600 (its provisioning
  // was applied late) adds 5 fen/h from 3600: the hour since is billed too.
  PostpaidAccount a = Fresh(0);
  ChangeRate(a, 10, 0);
  AccrueTo(a, 7200);
  ChangeRate(a, 5, 3600);
  EXPECT_EQ(a.usage, (Usage{25, 0}));
  EXPECT_EQ(a.rate, 15);
  AccrueTo(a, 10800);
  EXPECT_EQ(a.usage, (Usage{40, 0}));
  // A release back-dated to 9000 takes back what its 5 fen/h accrued since.
  ChangeRate(a, -5, 9000);
  EXPECT_EQ(a.usage.fen * kHour + a.usage.remainder, 40 * kHour - 5 * 1800);
}

TEST(AccrualTest, ResizeSegmentsAndReleaseMidPeriod) {
  // One unit of price 7: 2 units for 30 min, 5 units for 20 min, released 10 min into the next
  // hour at 1 unit. Its cost is the sum over its segments.
  std::vector<UsageSegment> segments{
      {"u", "acct", "gpu-1", 0, 1800, 2, 7},
      {"u", "acct", "gpu-1", 1800, 3000, 5, 7},
      {"u", "acct", "gpu-1", 3000, 4200, 1, 7},
  };
  const __int128 exact = 7 * (2 * 1800 + 5 * 1200 + 1 * 1200);  // in 1/3600 fen
  EXPECT_EQ(SegmentsCost(segments, 0, 10'000, 10'000), static_cast<Money>(exact / kHour));
  // The first hour only, and the part after it.
  EXPECT_EQ(SegmentsCost(segments, 0, 3600, 10'000), 7 * (2 * 1800 + 5 * 1200 + 600) / kHour);
  EXPECT_EQ(SegmentsCost(segments, 3600, 10'000, 10'000), 7 * 600 / kHour);
  // An open segment runs until now, not until `to`.
  std::vector<UsageSegment> open{{"u", "acct", "gpu-1", 0, std::nullopt, 3, 7}};
  EXPECT_EQ(SegmentsCost(open, 0, 100 * kHour, kHour), 21);
}

TEST(AccrualTest, PriceIsTheOneLockedOnEachSegment) {
  // Two units bought under different price lists keep their own prices.
  std::vector<UsageSegment> cheap{{"a", "acct", "gpu-1", 0, std::nullopt, 1, 100}};
  std::vector<UsageSegment> dear{{"b", "acct", "gpu-1", 0, std::nullopt, 1, 300}};
  EXPECT_EQ(SegmentsCost(cheap, 0, kHour, kHour), 100);
  EXPECT_EQ(SegmentsCost(dear, 0, kHour, kHour), 300);
}

TEST(AccrualTest, GridTimesAreMultiplesOfThePeriodSinceTheEpoch) {
  EXPECT_EQ(NextGridTime(0, kHour), kHour);
  EXPECT_EQ(NextGridTime(kHour - 1, kHour), kHour);
  EXPECT_EQ(NextGridTime(kHour, kHour), 2 * kHour);
  EXPECT_EQ(NextGridTime(1738317601, kHour), 1738321200);
  EXPECT_EQ(NextGridTime(-1, kHour), 0);
  EXPECT_EQ(NextGridTime(10, 7), 14);
}

TEST(AccrualTest, HugeValuesSaturateInsteadOfWrapping) {
  Usage u = AddUsage(Usage{std::numeric_limits<Money>::max() - 1, 0}, 1'000'000'000,
                     1'000'000'000);
  EXPECT_EQ(u.fen, std::numeric_limits<Money>::max());
  std::vector<UsageSegment> s{{"u", "a", "t", 0, std::nullopt, 1'000'000'000, 1'000'000'000'000}};
  EXPECT_EQ(SegmentsCost(s, 0, 4'000'000'000'000LL, 4'000'000'000'000LL),
            std::numeric_limits<Money>::max());
  EXPECT_EQ(RateOf(std::numeric_limits<Money>::max(), 2), std::nullopt);
}

// Property: on random schedules of purchases, resizes and releases across several units, the
// account engine (rate changes, settlements at random moments) and the closed form over size
// segments both agree with a brute-force sum of every second.
TEST(AccrualPropertyTest, ClosedFormsMatchAPerSecondSumOnRandomSchedules) {
  std::mt19937_64 random(20261201);
  for (int round = 0; round < 200; ++round) {
    const int units = 1 + static_cast<int>(random() % 5);
    const UnixSeconds horizon = 1 + static_cast<UnixSeconds>(random() % 20'000);
    struct Event {
      UnixSeconds at;
      int unit;
      std::int64_t size;  // 0: stopped
    };
    std::vector<Event> events;
    std::vector<Money> price(units);
    for (int u = 0; u < units; ++u) {
      price[u] = 1 + static_cast<Money>(random() % 1000);
      int changes = 1 + static_cast<int>(random() % 4);
      for (int c = 0; c < changes; ++c) {
        std::int64_t size = c + 1 == changes && random() % 2 ? 0 : 1 + random() % 8;
        events.push_back(Event{static_cast<UnixSeconds>(random() % horizon), u, size});
      }
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });

    // Brute force: each unit's size second by second.
    std::vector<std::vector<std::int64_t>> size_at(units, std::vector<std::int64_t>(horizon, 0));
    std::vector<std::int64_t> current(units, 0);
    std::size_t next = 0;
    for (UnixSeconds t = 0; t < horizon; ++t) {
      while (next < events.size() && events[next].at == t) {
        current[events[next].unit] = events[next].size;
        ++next;
      }
      for (int u = 0; u < units; ++u) size_at[u][t] = current[u];
    }

    // The engine and the segments, driven by the same events.
    PostpaidAccount account = Fresh(0);
    std::vector<std::vector<UsageSegment>> segments(units);
    std::vector<std::int64_t> billed(units, 0);
    Money charged = 0;
    for (const Event& e : events) {
      if (random() % 3 == 0) {  // a settlement at some moment before the event
        AccrueTo(account, e.at);
        Money due = Unsettled(account);
        account.charged += due;
        charged += due;
      }
      auto& unit_segments = segments[e.unit];
      if (!unit_segments.empty() && !unit_segments.back().end_at) {
        if (unit_segments.back().start_at == e.at) {
          unit_segments.pop_back();
        } else {
          unit_segments.back().end_at = e.at;
        }
      }
      if (e.size > 0) {
        unit_segments.push_back(
            UsageSegment{"u", "acct", "t", e.at, std::nullopt, e.size, price[e.unit]});
      }
      ChangeRate(account, price[e.unit] * (e.size - billed[e.unit]), e.at);
      billed[e.unit] = e.size;
    }
    AccrueTo(account, horizon);

    __int128 account_parts = 0;
    for (int u = 0; u < units; ++u) {
      const UnixSeconds from = static_cast<UnixSeconds>(random() % horizon);
      const UnixSeconds to = from + 1 + static_cast<UnixSeconds>(random() % (horizon - from));
      __int128 unit_parts = 0, range_parts = 0;
      for (UnixSeconds t = 0; t < horizon; ++t) {
        unit_parts += price[u] * size_at[u][t];
        if (t >= from && t < to) range_parts += price[u] * size_at[u][t];
      }
      account_parts += unit_parts;
      EXPECT_EQ(SegmentsCost(segments[u], 0, horizon, horizon),
                static_cast<Money>(unit_parts / kHour))
          << "round " << round << " unit " << u;
      EXPECT_EQ(SegmentsCost(segments[u], from, to, horizon),
                static_cast<Money>(range_parts / kHour))
          << "round " << round << " unit " << u << " [" << from << ", " << to << ")";
    }
    EXPECT_EQ(Parts(account.usage), account_parts) << "round " << round;
    EXPECT_LE(charged, account.usage.fen) << "never charged ahead of usage";
    EXPECT_EQ(charged + Unsettled(account), account_parts / kHour) << "round " << round;
  }
}

}  // namespace
}  // namespace cuplane::core::billing
