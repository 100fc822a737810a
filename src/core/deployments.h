// A service's replicas on one compute unit (SPEC §4.4, §4.11): what a deployment holds, how it
// scales and how its unit's lifecycle moves it. A scale is a durable `deploy` transition of the
// unit: when it runs, every scale of that unit due by then completes (or, having taken a fault
// when it was accepted, fails). Nothing here knows about the API; services.h holds the actions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// What a deployment holds on its unit: the larger of its old and new sizes while it scales.
std::int64_t HeldUnits(const Deployment& d, std::int64_t units_per_replica);

// Replicas serving now: none before the unit is provisioned; while scaling, only those that
// exist both before and after (the old count scaling out, the new one scaling in).
std::int64_t UpReplicas(const Deployment& d, bool unit_started);

// A scale accepted but not yet complete.
bool IsScaling(const Deployment& d);

// The units free for a service on a unit of `total` units with `used` held by all its
// deployments, `held_by_service` of them by this service's own deployment there (SPEC §4.11
// room rule: replicas × unitsPerReplica must not exceed it).
std::int64_t RoomFor(std::int64_t total, std::int64_t used, std::int64_t held_by_service);

// Σ units held by the deployments on a unit: its usedComputeUnits (SPEC §4.4).
std::int64_t UsedUnits(store::Transaction& tx, const Instance& unit);

// Moves the deployment of `service` on `unit` (`current`, or none yet) towards `replicas`:
// ScalingOut or ScalingIn until `due_at`, when the unit's deploy transition completes it. The
// scale takes an injected `deploy` fault when one is waiting; it then fails when due.
void StartScale(store::Transaction& tx, const Service& service, const Instance& unit,
                const std::optional<Deployment>& current, std::int64_t replicas,
                UnixSeconds due_at);

// A unit bought for a service (SPEC §4.1) carries its replicas from the purchase: they hold
// the unit and scale out until the unit is provisioned and the deploy delay has passed (and
// fail then, when the deployment took an injected `deploy` fault).
void DeployOnPurchase(store::Transaction& tx, const Service& service,
                      const std::string& instance_id, std::int64_t replicas);

// The unit is provisioned at `at`: the scales that waited for it start their deploy delay
// (unless a deactivation of their service is in flight).
void StartScalesWaitingForUnit(store::Transaction& tx, const Instance& unit, UnixSeconds at,
                               const LifecycleConfig& config);

// The unit ends (Released or CreateFailed): every deployment on it ends, and each service
// that lost replicas (or replicas on their way) is marked failed, so that a service left with
// none anywhere is Failed. The unit remembers the services it served (past deployments), so
// that a service's list, its detail and a retried release by service still find it.
void EndDeploymentsOnRelease(store::Transaction& tx, const Instance& unit, UnixSeconds at);

// The unit's deploy transition at `at`: every scale on it due by then completes or fails.
void CompleteDueScales(store::Transaction& tx, const std::string& account_id,
                       const std::string& instance_id, UnixSeconds at);

}  // namespace cuplane::core
