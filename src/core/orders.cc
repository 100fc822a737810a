#include "core/orders.h"

#include "common/random_id.h"

namespace cuplane::core {

std::string OpenOrder(store::Transaction& tx, const std::string& account_id,
                      const std::string& instance_id, OrderKind kind, UnixSeconds now) {
  Order order{"ord-" + RandomLowerAlnum(16), account_id, instance_id, kind, now};
  tx.InsertOrder(order);
  return order.order_id;
}

}  // namespace cuplane::core
