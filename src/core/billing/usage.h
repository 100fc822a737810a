// Operator DescribeUsage (SPEC §6): each unit's Postpaid cost in a time range, computed in
// closed form from its size segments rather than read from per-period rows.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core::billing {

struct UnitUsage {
  std::string instance_id;
  std::string type;
  Money amount = 0;  // floor of the unit's exact usage in the range, > 0
};

struct UsageReport {
  Money total = 0;  // Σ amount
  std::vector<UnitUsage> units;
};

// The account's Postpaid usage in [from, to), up to `now` (usage not yet happened is none).
// Units whose usage there is under one fen are not listed.
Result<UsageReport> DescribeUsage(store::Transaction& tx, const std::string& account_id,
                                  UnixSeconds from, UnixSeconds to, UnixSeconds now);

}  // namespace cuplane::core::billing
