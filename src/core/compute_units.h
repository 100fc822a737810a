// The tenant's compute-unit actions (SPEC §4), as rules over a store transaction. The API layer
// decodes and validates the wire format; these functions check what needs the database
// (ownership, inventory, balance, state) and make the change.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

struct PurchaseOrder {
  std::string service_id;
  std::int64_t replicas_count = 0;
  PaymentTiming payment_timing = PaymentTiming::kPostpaid;
  int reservation_months = 0;  // Prepaid
  bool auto_renew = false;
  int auto_renew_months = 1;
  // Idempotency: each non-empty key maps to the instanceId of the first successful purchase.
  std::string client_token;  // from the caller; a reuse with other parameters is refused
  std::string replay_key;    // a digest of the signed request, so an exact replay never buys
  std::string fingerprint;   // a digest of the parameters above
};

// Buys a unit for a service: checks the service is the caller's, takes inventory, charges a
// Prepaid purchase (or checks a Postpaid one can pay a settlement period), records the
// instance, its deployment, the provisioning transition and the idempotency keys. On any
// error the caller rolls the transaction back, so nothing is left behind.
Result<std::string> PurchaseComputeUnit(store::Transaction& tx, const Principal& caller,
                                        const PurchaseOrder& order, const LifecycleConfig& config,
                                        UnixSeconds now);

// The instances purchased for (or serving) a service, newest first; Released/CreateFailed ones
// only within the list retention window.
Result<std::vector<Instance>> ListComputeUnits(store::Transaction& tx, const Principal& caller,
                                               const std::string& service_id,
                                               std::optional<PaymentTiming> payment_timing,
                                               const LifecycleConfig& config, UnixSeconds now);

// The coarse status shown by the list (SPEC §4.2): Creating, Running or Deleted.
std::string_view ListStatus(InstanceStatus status);

struct ServiceUsage {
  Service service;
  std::int64_t deployed_units = 0;
  std::string run_status;                         // the service's own (SPEC §4.11)
  ScaleStatus scale_status = ScaleStatus::kNone;  // this deployment's progress on the unit
};

struct ComputeUnitDetail {
  Instance instance;
  std::int64_t used_units = 0;
  std::vector<ServiceUsage> services;
};

Result<ComputeUnitDetail> DescribeComputeUnit(store::Transaction& tx, const Principal& caller,
                                              const std::string& instance_id);

// Schedules (release_time set) or clears (nullopt) the release of a Postpaid unit.
Status SetAutoRelease(store::Transaction& tx, const Principal& caller,
                      const std::string& instance_id, std::optional<UnixSeconds> release_time,
                      UnixSeconds now);

}  // namespace cuplane::core
