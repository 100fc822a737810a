// Services that run on compute units (SPEC §4.11): the tenant's /v2/service actions, the
// rules they share (type names, room, run status) and the deactivation's timed step. A
// service runs replicas of one region and type; each replica takes unitsPerReplica units of
// the unit it is deployed on (core/deployments.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "core/compute_units.h"
#include "core/lifecycle_config.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// --- rules -------------------------------------------------------------------------------------

// resourceConfig.type: "GPU-<n>-<k>" (n 1..6: unit type gpu-n; k 1, 2, 4 or 8 units per
// replica) or "CPU-1-1" (cpu, 1 unit per replica). Letters in any case.
struct ServiceTypeName {
  std::string unit_type;
  std::int64_t units_per_replica = 1;
};
std::optional<ServiceTypeName> ParseServiceTypeName(std::string_view text);
// The "GPU-n-k" form of a service's type, for any units per replica (operators choose any).
std::string FormatServiceTypeName(const std::string& unit_type, std::int64_t units_per_replica);

struct PlacedDeployment {
  Deployment deployment;
  bool unit_started = false;  // the unit is provisioned (not Creating)
};

// An active service is Serving with a replica up anywhere, else Deploying with replicas on
// their way, else Failed once a deployment failed or lost its unit, else New. The lifecycle
// states (Deactivating, Stopped, DeactivationFailed) stand on their own.
RunStatus DeriveRunStatus(const Service& service, const std::vector<PlacedDeployment>& deployments);

// A service's runStatus from its deployments in the store.
RunStatus ServiceRunStatus(store::Transaction& tx, const Service& service);
// The same, for a unit's detail (which lists the services on it): `unit` and the service's
// deployment on it, `on_unit`, are read already and need no second lookup.
RunStatus ServiceRunStatus(store::Transaction& tx, const Service& service, const Instance& unit,
                           const Deployment& on_unit);

// Refuses to put replicas of a service that is deactivating, stopped or failed to deactivate.
Status CheckDeployable(const Service& service);

// --- actions -----------------------------------------------------------------------------------

struct Placement {
  std::string instance_id;
  std::int64_t replicas = 0;
};

// CreateService's resourceConfig with its billing: a unit bought for the new service, holding
// `replicas` of its replicas.
struct ServiceResources {
  std::string region;  // empty: chosen as for a purchase on /v2/computeunit (PlacePurchase)
  std::string unit_type;
  std::int64_t units_per_replica = 1;
  std::int64_t replicas = 0;
  BillingTerms billing;
};

// CreateService: onto existing units (`placements`, deploymentConfig) or onto a unit bought
// with it (`resources`, resourceConfig).
struct NewService {
  std::string name;
  std::string description;
  std::string url_suffix;
  std::string model_set_id;
  std::string model_id;
  std::vector<Placement> placements;  // non-empty, distinct units; empty with `resources`
  std::int64_t units_per_replica = 1;
  std::optional<ServiceResources> resources;
  std::string client_token;  // "" when none
};

// Creates the service and returns its id; a clientToken used before returns the first id.
// Onto units: checks every unit is the caller's, Running (or ReconfigureFailed), of one region
// and type and with room, then each placement scales out. With resources: buys the unit as
// every purchase does (BuyUnit: price, pool, payment, provisioning fault) and deploys the
// replicas on it as a purchase for a service does (DeployOnPurchase).
Result<std::string> CreateService(store::Transaction& tx, const Principal& caller,
                                  const NewService& request, const LifecycleConfig& config,
                                  UnixSeconds now);

struct ServiceDetail {
  Service service;
  RunStatus run_status = RunStatus::kNew;
  std::string pay_type;       // "Prepay", "Postpay", "Prepay,Postpay" or "" (no live unit)
  std::int64_t replicas = 0;  // Σ replicas of its deployments
  std::vector<Deployment> deployments;
};

Result<ServiceDetail> DescribeService(store::Transaction& tx, const Principal& caller,
                                      const std::string& service_id);

struct ServiceQuery {
  std::string marker;  // "" from the start; else a nextMarker of an earlier page
  int max_keys = 10;
  bool reverse = false;
  std::string name_contains;
  std::vector<RunStatus> run_statuses;  // empty: any
};

struct ServicePage {
  std::vector<ServiceDetail> services;
  bool truncated = false;
  std::string next_marker;  // set exactly when truncated
};

Result<ServicePage> DescribeServices(store::Transaction& tx, const Principal& caller,
                                     const ServiceQuery& query);

// Sets the service's deployment on the unit to exactly `replicas` (0 removes it), as a
// scale that completes after the deploy delay; the current count is a no-op.
Status ScaleService(store::Transaction& tx, const Principal& caller, const std::string& service_id,
                    const std::string& instance_id, std::int64_t replicas,
                    const LifecycleConfig& config, UnixSeconds now);

// Deactivating for the deploy delay, then Stopped with its deployments ended; its units stay.
// Repeated while Deactivating or once Stopped, it changes nothing.
Status DeactivateService(store::Transaction& tx, const Principal& caller,
                         const std::string& service_id, const LifecycleConfig& config,
                         UnixSeconds now);

// The account's deactivate transition at `at`: every deactivation due by then completes
// (Stopped) or, having taken a fault, fails (DeactivationFailed, deployments kept).
void CompleteDueDeactivations(store::Transaction& tx, const std::string& account_id,
                              UnixSeconds at);

}  // namespace cuplane::core
