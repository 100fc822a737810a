// The intervals that govern a unit's life (SPEC §5), set by `cuplane serve` flags.
#pragma once

#include <cstdint>

namespace cuplane::core {

struct LifecycleConfig {
  std::int64_t provision_delay_seconds = 1;         // Creating -> Running
  std::int64_t deploy_delay_seconds = 1;            // ScalingOut/ScalingIn, Deactivating
  std::int64_t settlement_period_seconds = 3600;    // Postpaid usage settled this often
  std::int64_t arrears_grace_seconds = 86400;       // arrears -> Postpaid units released
  std::int64_t list_retention_seconds = 7 * 86400;  // Released units listed as Deleted
  // How long a clientToken is remembered (SPEC §4.1: 24 h of the server's clock).
  std::int64_t idempotency_window_seconds = 86400;
};

}  // namespace cuplane::core
