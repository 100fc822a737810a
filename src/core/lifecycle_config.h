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
  // How long a clientToken and a signed request's replay key are remembered. Longer than any
  // signature stays valid (7-day expiration cap + 2 × 300 s skew), so no replay outlives it.
  std::int64_t idempotency_window_seconds = 8 * 86400;
};

}  // namespace cuplane::core
