// Capacity and prices (SPEC §6): the operator sizes each (region, type) pool and sets the
// price list. A pool never shrinks below what live units hold.
#pragma once

#include "common/error.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// OperationNotAllowed when `total_units` is below the pool's allocated units.
Status SetInventory(store::Transaction& tx, const std::string& region, const std::string& type,
                    std::int64_t total_units);

Status SetPrice(store::Transaction& tx, const Price& price);

}  // namespace cuplane::core
