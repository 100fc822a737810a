#include "core/ownership.h"

namespace cuplane::core {

Error NotFound(std::string_view what, const std::string& id) {
  return MakeError(ErrorCode::kResourceNotFound, std::string(what) + " " + id + " does not exist");
}

Result<Service> OwnedService(store::Transaction& tx, const Principal& caller,
                             const std::string& service_id) {
  auto service = tx.GetService(service_id);
  if (!service || service->account_id != caller.account_id) return NotFound("service", service_id);
  return *service;
}

Result<Instance> OwnedInstance(store::Transaction& tx, const Principal& caller,
                               const std::string& instance_id) {
  auto instance = tx.GetInstance(instance_id);
  if (!instance || instance->account_id != caller.account_id) {
    return NotFound("compute unit instance", instance_id);
  }
  return *instance;
}

}  // namespace cuplane::core
