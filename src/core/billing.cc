#include "core/billing.h"

#include <limits>

namespace cuplane::core {
namespace {

constexpr __int128 kMaxMoney = std::numeric_limits<Money>::max();

// a × b × c for non-negative 64-bit factors, or nullopt when it does not fit in __int128.
// a × b alone always fits (< 2^126); only the third factor can overflow.
std::optional<__int128> Product(std::int64_t a, std::int64_t b, std::int64_t c) {
  __int128 ab = static_cast<__int128>(a) * b;
  constexpr __int128 kMax = ~(static_cast<unsigned __int128>(1) << 127);
  if (c != 0 && ab > kMax / c) return std::nullopt;
  return ab * c;
}

}  // namespace

std::optional<Money> PrepaidCost(Money price_per_unit_month, std::int64_t units, int months) {
  if (price_per_unit_month < 0 || units < 0 || months < 0) return std::nullopt;
  auto cost = Product(price_per_unit_month, units, months);
  if (!cost || *cost > kMaxMoney) return std::nullopt;
  return static_cast<Money>(*cost);
}

Money PostpaidUsage(Money price_per_unit_hour, std::int64_t units, std::int64_t seconds) {
  if (price_per_unit_hour <= 0 || units <= 0 || seconds <= 0) return 0;
  auto product = Product(price_per_unit_hour, units, seconds);
  if (!product || *product / 3600 > kMaxMoney) return std::numeric_limits<Money>::max();
  return static_cast<Money>(*product / 3600);
}

std::optional<Money> PostpaidPeriodCost(Money price_per_unit_hour, std::int64_t units,
                                        std::int64_t period_seconds) {
  if (price_per_unit_hour < 0 || units < 0 || period_seconds < 0) return std::nullopt;
  auto numerator = Product(price_per_unit_hour, units, period_seconds);
  if (!numerator) return std::nullopt;
  __int128 cost = *numerator / 3600 + (*numerator % 3600 != 0 ? 1 : 0);
  if (cost > kMaxMoney) return std::nullopt;
  return static_cast<Money>(cost);
}

}  // namespace cuplane::core
