// Orders (SPEC §5.4): every purchase, resize and renewal opens one; its id is on the ledger
// entries it causes (charge, refund) and, where the API says so, on the result.
#pragma once

#include <string>

#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// Records a new order for `instance_id` and returns its id, `ord-<16 lowercase alnum>`.
std::string OpenOrder(store::Transaction& tx, const std::string& account_id,
                      const std::string& instance_id, OrderKind kind, UnixSeconds now);

}  // namespace cuplane::core
