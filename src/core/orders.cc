#include "core/orders.h"

#include "common/increasing_id.h"

namespace cuplane::core {

std::string OpenOrder(store::Transaction& tx, const std::string& account_id,
                      const std::string& instance_id, OrderKind kind, UnixSeconds now) {
  static IncreasingId order_ids(9, 7);  // see common/increasing_id.h
  Order order{"ord-" + order_ids.Next(), account_id, instance_id, kind, now};
  tx.InsertOrder(order);
  return order.order_id;
}

}  // namespace cuplane::core
