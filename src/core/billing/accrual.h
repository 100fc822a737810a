// The arithmetic of Postpaid billing (SPEC §5.3), on plain values: exact usage in 1/3600 fen,
// an account's burn rate accrued over time, the settlement grid and a unit's cost over a range
// from its size segments. No store, so every rule here is tested directly.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/model.h"

namespace cuplane::core::billing {

inline constexpr std::int64_t kSecondsPerHour = 3600;

// usage + rate × seconds / 3600, exactly. Either factor may be negative (a correction for an
// event applied after the accrual passed its time). Saturates instead of overflowing.
Usage AddUsage(Usage usage, Money rate, std::int64_t seconds);

// Brings the account's usage up to `t` at its current rate (nothing when already there).
void AccrueTo(PostpaidAccount& account, UnixSeconds t);

// The account's rate changes by `delta` at `at`. Usage is accrued to `at` first; when it was
// already accrued past `at`, the seconds since are corrected at the new rate, so usage stays
// exact whatever the order in which events reach the account.
void ChangeRate(PostpaidAccount& account, Money delta, UnixSeconds at);

// Usage accrued but not yet charged, in whole fen (never negative).
Money Unsettled(const PostpaidAccount& account);

// The first settlement time of the UTC grid (multiples of `period` since the Unix epoch) after t.
UnixSeconds NextGridTime(UnixSeconds t, std::int64_t period);

// The exact cost of one unit's segments over [from, to), where an open segment runs until
// `now`, rounded down to the fen (saturating).
Money SegmentsCost(const std::vector<UsageSegment>& segments, UnixSeconds from, UnixSeconds to,
                   UnixSeconds now);

// price × units (fen per hour) for a rate change; nullopt on overflow.
std::optional<Money> RateOf(Money unit_price, std::int64_t units);

}  // namespace cuplane::core::billing
