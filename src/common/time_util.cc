#include "common/time_util.h"

#include <date/date.h>

#include <charconv>
#include <chrono>

namespace cuplane {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// Reads exactly `width` digits at `pos`, advancing it.
std::optional<int> ReadDigits(std::string_view s, size_t& pos, size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// "YYYY-MM-DD<sep>HH:MM:SS" -> seconds since epoch as if UTC; `pos` ends after the seconds.
std::optional<UnixSeconds> ReadDateTime(std::string_view s, size_t& pos, char separator) {
  auto year = ReadDigits(s, pos, 4);
  if (!year || !Expect(s, pos, '-')) return std::nullopt;
  auto month = ReadDigits(s, pos, 2);
  if (!month || !Expect(s, pos, '-')) return std::nullopt;
  auto day = ReadDigits(s, pos, 2);
  if (!day) return std::nullopt;
  if (pos >= s.size() || (s[pos] != separator && !(separator == 'T' && s[pos] == 't'))) {
    return std::nullopt;
  }
  ++pos;
  auto hour = ReadDigits(s, pos, 2);
  if (!hour || !Expect(s, pos, ':')) return std::nullopt;
  auto minute = ReadDigits(s, pos, 2);
  if (!minute || !Expect(s, pos, ':')) return std::nullopt;
  auto second = ReadDigits(s, pos, 2);
  if (!second) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;  // no leap seconds
  date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                           date::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  auto t = sys_seconds{date::sys_days{ymd}} + std::chrono::hours{*hour} +
           std::chrono::minutes{*minute} + seconds{*second};
  return t.time_since_epoch().count();
}

std::optional<int> ReadOffset(std::string_view s, size_t& pos) {
  if (pos >= s.size()) return std::nullopt;
  char sign = s[pos];
  if (sign != '+' && sign != '-') return std::nullopt;
  ++pos;
  auto hours = ReadDigits(s, pos, 2);
  if (!hours || !Expect(s, pos, ':')) return std::nullopt;
  auto minutes = ReadDigits(s, pos, 2);
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  int offset = *hours * 3600 + *minutes * 60;
  return sign == '-' ? -offset : offset;
}

}  // namespace

std::string FormatUtc(UnixSeconds t) {
  // date::format goes through an ostringstream and the locale, which made formatting a few
  // timestamps a visible share of a DescribeComputeUnit; the calendar math stays date's.
  sys_seconds time{seconds{t}};
  auto day = date::floor<date::days>(time);
  date::year_month_day ymd{day};
  date::hh_mm_ss<seconds> hms{time - day};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return date::format("%Y-%m-%dT%H:%M:%SZ", time);
  char out[] = "0000-00-00T00:00:00Z";
  auto put = [&](int at, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, static_cast<unsigned>(hms.hours().count()), 2);
  put(14, static_cast<unsigned>(hms.minutes().count()), 2);
  put(17, static_cast<unsigned>(hms.seconds().count()), 2);
  return std::string(out, sizeof(out) - 1);
}

std::optional<UnixSeconds> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  auto local = ReadDateTime(text, pos, 'T');
  if (!local) return std::nullopt;
  if (pos < text.size() && text[pos] == '.') {  // fractional seconds: at least one digit
    size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    return pos + 1 == text.size() ? local : std::nullopt;
  }
  auto offset = ReadOffset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;
  return *local - *offset;
}

std::optional<UnixSeconds> ParsePlainLocalTime(std::string_view text, int offset_seconds) {
  size_t pos = 0;
  auto local = ReadDateTime(text, pos, ' ');
  if (!local || pos != text.size()) return std::nullopt;
  return *local - offset_seconds;
}

std::optional<int> ParseUtcOffset(std::string_view text) {
  size_t pos = 0;
  auto offset = ReadOffset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;
  return offset;
}

UnixSeconds AddCalendarMonths(UnixSeconds t, int months) {
  sys_seconds tp{seconds{t}};
  auto day_start = date::floor<date::days>(tp);
  auto time_of_day = tp - day_start;
  date::year_month_day ymd{day_start};
  date::year_month target = date::year_month{ymd.year(), ymd.month()} + date::months{months};
  date::day last =
      date::year_month_day_last{target.year(), date::month_day_last{target.month()}}.day();
  date::day day = ymd.day() > last ? last : ymd.day();
  auto result = sys_seconds{date::sys_days{target / day}} + time_of_day;
  return result.time_since_epoch().count();
}

std::optional<std::int64_t> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t multiplier = 1;
  switch (text.back()) {
    case 's':
      multiplier = 1;
      text.remove_suffix(1);
      break;
    case 'm':
      multiplier = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      multiplier = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      multiplier = 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    return std::nullopt;
  }
  if (value > (std::int64_t{1} << 40) / multiplier) return std::nullopt;  // absurdly long
  return value * multiplier;
}

}  // namespace cuplane
