// Time as cuplane stores and speaks it: Unix seconds (UTC) in memory and in the store,
// `YYYY-MM-DDTHH:MM:SSZ` on the wire. Calendar arithmetic goes through Howard Hinnant's date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cuplane {

using UnixSeconds = std::int64_t;

// "2024-01-01T00:00:00Z".
std::string FormatUtc(UnixSeconds t);

// RFC 3339 with a `Z` or `±HH:MM` offset and optional fractional seconds (dropped):
// "2030-01-25T12:30:30+08:00", "2030-01-25T04:30:30Z". nullopt when malformed or out of range.
std::optional<UnixSeconds> ParseRfc3339(std::string_view text);

// "YYYY-MM-DD HH:MM:SS", read as local time at `offset_seconds` east of UTC.
std::optional<UnixSeconds> ParsePlainLocalTime(std::string_view text, int offset_seconds);

// "+08:00" / "-05:30" -> seconds east of UTC.
std::optional<int> ParseUtcOffset(std::string_view text);

// `t` plus `months` calendar months, the day clamped to the target month's last day
// (Jan 31 + 1 month = Feb 28/29); time of day kept.
UnixSeconds AddCalendarMonths(UnixSeconds t, int months);

// A duration flag: "90", "90s", "15m", "1h", "7d" (whole seconds; "0" allowed).
std::optional<std::int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace cuplane
