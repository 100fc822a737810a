// Money arithmetic (SPEC §5). All amounts are integer fen; every product is overflow-checked,
// and postpaid usage is computed cumulatively from the start so rounding never drifts.
#pragma once

#include <cstdint>
#include <optional>

#include "core/model.h"

namespace cuplane::core {

// price × units × months; nullopt on overflow.
std::optional<Money> PrepaidCost(Money price_per_unit_month, std::int64_t units, int months);

// Usage owed for `seconds` of `units` at `price_per_unit_hour`, rounded down to the fen.
// Always computed over the whole run (start .. t), so that the sum of settlements equals
// the usage of the whole run exactly.
Money PostpaidUsage(Money price_per_unit_hour, std::int64_t units, std::int64_t seconds);

// What one settlement period of usage costs, rounded up: the balance a Postpaid purchase
// must cover (SPEC §4.1). nullopt on overflow.
std::optional<Money> PostpaidPeriodCost(Money price_per_unit_hour, std::int64_t units,
                                        std::int64_t period_seconds);

}  // namespace cuplane::core
