#include "core/billing/accrual.h"

#include <algorithm>
#include <limits>

namespace cuplane::core::billing {
namespace {

using Wide = __int128;

constexpr Wide kMoneyMax = std::numeric_limits<Money>::max();
constexpr Wide kMoneyMin = std::numeric_limits<Money>::min();

// Floor division for a positive divisor (C++ division truncates towards zero).
Wide FloorDiv(Wide a, Wide b) { return a / b - ((a % b != 0) && (a < 0) ? 1 : 0); }

// Whole fen of an exact amount in 1/3600 fen, clamped to what Money holds.
Usage FromParts(Wide parts) {
  Wide fen = FloorDiv(parts, kSecondsPerHour);
  Wide remainder = parts - fen * kSecondsPerHour;
  if (fen > kMoneyMax) return Usage{std::numeric_limits<Money>::max(), 0};
  if (fen < kMoneyMin) return Usage{std::numeric_limits<Money>::min(), 0};
  return Usage{static_cast<Money>(fen), static_cast<std::int64_t>(remainder)};
}

// a × b for 64-bit values always fits in 127 bits.
Wide Times(std::int64_t a, std::int64_t b) { return static_cast<Wide>(a) * b; }

}  // namespace

Usage AddUsage(Usage usage, Money rate, std::int64_t seconds) {
  Wide parts = Times(usage.fen, kSecondsPerHour) + usage.remainder + Times(rate, seconds);
  return FromParts(parts);
}

void AccrueTo(PostpaidAccount& account, UnixSeconds t) {
  if (t <= account.accrued_until) return;
  account.usage = AddUsage(account.usage, account.rate, t - account.accrued_until);
  account.accrued_until = t;
}

void ChangeRate(PostpaidAccount& account, Money delta, UnixSeconds at) {
  AccrueTo(account, at);
  if (at < account.accrued_until) {
    account.usage = AddUsage(account.usage, delta, account.accrued_until - at);
  }
  account.rate += delta;
}

Money Unsettled(const PostpaidAccount& account) {
  return std::max<Money>(0, account.usage.fen - account.charged);
}

UnixSeconds NextGridTime(UnixSeconds t, std::int64_t period) {
  period = std::max<std::int64_t>(1, period);
  return static_cast<UnixSeconds>((FloorDiv(t, period) + 1) * period);
}

Money SegmentsCost(const std::vector<UsageSegment>& segments, UnixSeconds from, UnixSeconds to,
                   UnixSeconds now) {
  Wide parts = 0;
  for (const UsageSegment& s : segments) {
    UnixSeconds begin = std::max(s.start_at, from);
    UnixSeconds end = std::min({s.end_at.value_or(now), to, now});
    if (end <= begin) continue;
    parts += Times(s.unit_price, s.units) * (end - begin);
    if (parts > kMoneyMax * kSecondsPerHour) return std::numeric_limits<Money>::max();
  }
  return FromParts(parts).fen;
}

std::optional<Money> RateOf(Money unit_price, std::int64_t units) {
  Money rate = 0;
  if (__builtin_mul_overflow(unit_price, units, &rate)) return std::nullopt;
  return rate;
}

}  // namespace cuplane::core::billing
