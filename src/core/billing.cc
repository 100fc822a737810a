#include "core/billing.h"

#include <limits>

namespace cuplane::core {
namespace {

constexpr __int128 kMaxMoney = std::numeric_limits<Money>::max();

}  // namespace

std::optional<Money> PrepaidCost(Money price_per_unit_month, std::int64_t units, int months) {
  if (price_per_unit_month < 0 || units < 0 || months < 0) return std::nullopt;
  __int128 cost = static_cast<__int128>(price_per_unit_month) * units * months;
  if (cost > kMaxMoney) return std::nullopt;
  return static_cast<Money>(cost);
}

Money PostpaidUsage(Money price_per_unit_hour, std::int64_t units, std::int64_t seconds) {
  if (price_per_unit_hour <= 0 || units <= 0 || seconds <= 0) return 0;
  __int128 owed = static_cast<__int128>(price_per_unit_hour) * units * seconds / 3600;
  return owed > kMaxMoney ? std::numeric_limits<Money>::max() : static_cast<Money>(owed);
}

std::optional<Money> PostpaidPeriodCost(Money price_per_unit_hour, std::int64_t units,
                                        std::int64_t period_seconds) {
  if (price_per_unit_hour < 0 || units < 0 || period_seconds < 0) return std::nullopt;
  __int128 numerator = static_cast<__int128>(price_per_unit_hour) * units * period_seconds;
  __int128 cost = (numerator + 3599) / 3600;
  if (cost > kMaxMoney) return std::nullopt;
  return static_cast<Money>(cost);
}

}  // namespace cuplane::core
