// Auto-renewal rules of Prepaid units (SPEC §4.9): what expiry does. A rule renews the unit
// for `months` at each expiry, at the price of that moment, while the balance pays; without a
// rule the unit is released at expiry.
#pragma once

#include <string>

#include "common/error.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// Sets (or replaces) the rule of a live Prepaid unit: renew `months` (1..6) at each expiry.
Status CreateAutoRenewRule(store::Transaction& tx, const Principal& caller,
                           const std::string& instance_id, int months);

// Removes the rule: the unit will be released at expiry. A unit without a rule is a no-op.
Status DeleteAutoRenewRule(store::Transaction& tx, const Principal& caller,
                           const std::string& instance_id);

}  // namespace cuplane::core
