#include "core/capacity.h"

namespace cuplane::core {

Status SetInventory(store::Transaction& tx, const std::string& region, const std::string& type,
                    std::int64_t total_units) {
  if (!IsKnownRegion(region)) {
    return MakeError(ErrorCode::kInvalidParameter, "region " + region + " is not known");
  }
  if (!IsKnownUnitType(type)) {
    return MakeError(ErrorCode::kInvalidParameter, "type " + type + " is not known");
  }
  if (total_units < 0) {
    return MakeError(ErrorCode::kInvalidParameter, "totalUnits must not be negative");
  }
  if (!tx.SetPoolTotal(region, type, total_units)) {
    auto pool = tx.GetPool(region, type);
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "the " + region + "/" + type + " pool has " +
                         std::to_string(pool ? pool->allocated_units : 0) +
                         " units allocated; it cannot shrink below that");
  }
  return OkStatus();
}

Status SetPrice(store::Transaction& tx, const Price& price) {
  if (!IsKnownUnitType(price.type)) {
    return MakeError(ErrorCode::kInvalidParameter, "type " + price.type + " is not known");
  }
  if (price.prepaid_per_unit_month < 0 || price.postpaid_per_unit_hour < 0) {
    return MakeError(ErrorCode::kInvalidParameter, "prices must not be negative");
  }
  tx.SetPrice(price);
  return OkStatus();
}

}  // namespace cuplane::core
