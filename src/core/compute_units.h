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

// How a unit is paid for (SPEC §4.1 billing).
struct BillingTerms {
  PaymentTiming payment_timing = PaymentTiming::kPostpaid;
  int reservation_months = 0;               // Prepaid
  bool auto_renew = false;                  // Prepaid
  int auto_renew_months = 1;                // Prepaid
  std::optional<UnixSeconds> release_time;  // Postpaid: scheduled release

  // Every field, defaults applied, for clientToken comparison.
  std::string Canonical() const;
};

// What is bought: `units` of `type` in `region` (which must be set by then).
struct UnitSpec {
  std::string region;
  std::string type;
  std::int64_t units = 0;
  std::string service_id;           // the service it is bought for; empty for a free unit
  std::int64_t replicas_count = 0;  // replicas of that service it is bought to hold
};

// What a purchase or a resize returns: the unit and the order it opened.
struct PurchaseResult {
  std::string instance_id;
  std::string order_id;
};

// A clientToken's stored result of a purchase or resize: "instanceId orderId" (records from
// before orders hold the instanceId alone).
std::string EncodeOrderResult(const PurchaseResult& r);
PurchaseResult DecodeOrderResult(const std::string& stored);

// Whether the account can take on `units` more Postpaid units at `price_per_unit_hour`: its
// balance, less the usage it has accrued and not yet been charged, covers one settlement period
// of them, and it is not in arrears. InsufficientBalance otherwise.
Status CheckPostpaidCovered(store::Transaction& tx, const Account& account,
                            Money price_per_unit_hour, std::int64_t units,
                            const LifecycleConfig& config, UnixSeconds now);

// A purchase for a service (SPEC §4.1).
struct PurchaseOrder {
  std::string service_id;
  std::int64_t replicas_count = 0;
  BillingTerms billing;
  std::string client_token;  // "" when none
};

// Buys a unit for a service: checks the service is the caller's, then BuyUnit, then deploys
// the service on it, and remembers the clientToken. On any error the caller rolls the
// transaction back, so nothing is left behind.
Result<PurchaseResult> PurchaseComputeUnit(store::Transaction& tx, const Principal& caller,
                                           const PurchaseOrder& order,
                                           const LifecycleConfig& config, UnixSeconds now);

// A purchase of units not tied to a service (SPEC §4.5).
struct UnitPurchaseOrder {
  std::int64_t count = 0;
  std::string type;
  std::string region;  // empty: chosen by ChooseRegion
  BillingTerms billing;
  std::string client_token;  // "" when none
};

// Buys `count` units of a type, in the given region or the one ChooseRegion picks, with no
// service on them; remembers the clientToken.
Result<PurchaseResult> PurchaseUnits(store::Transaction& tx, const Principal& caller,
                                     const UnitPurchaseOrder& order, const LifecycleConfig& config,
                                     UnixSeconds now);

// Automatic placement: of the pools of `type` that have `units` free, the one with the most
// free units, ties broken by region name; nullopt when none has room.
std::optional<std::string> ChooseRegion(const std::vector<Pool>& pools, std::string_view type,
                                        std::int64_t units);

// Where a purchase of `units` units of `type` goes: `region` when given (the pool is checked
// when the units are taken), else the region ChooseRegion picks. OperationNotAllowed when the
// type has no price (it is not for sale), InsufficientInventory when no region can hold it.
Result<std::string> PlacePurchase(store::Transaction& tx, const std::string& type,
                                  const std::string& region, std::int64_t units);

// The common core of every purchase (both paths, and a service bought with its unit):
// takes the units from the pool, pays (Prepaid now; Postpaid: checks one settlement period is
// covered), opens the order, takes a provisioning fault if one is injected, records the
// instance (Creating) and schedules its provisioning and any release. No token, no deployment.
// The caller has already read the account (GetAccount) in this transaction.
Result<PurchaseResult> BuyUnit(store::Transaction& tx, const Principal& caller,
                               const UnitSpec& spec, const BillingTerms& billing,
                               const LifecycleConfig& config, UnixSeconds now);

// A unit as one service sees it (SPEC §4.2, §4.8): the instance and the replicas of that
// service on it now. A unit whose deployment of the service ended (released, failed to
// provision, or scaled to 0) holds none of its replicas: 0.
struct ServiceUnitView {
  Instance instance;
  std::int64_t replicas = 0;
};

// The instances purchased for (or serving) a service, newest first; Released/CreateFailed ones
// only within the list retention window.
Result<std::vector<ServiceUnitView>> ListComputeUnits(store::Transaction& tx,
                                                      const Principal& caller,
                                                      const std::string& service_id,
                                                      std::optional<PaymentTiming> payment_timing,
                                                      const LifecycleConfig& config,
                                                      UnixSeconds now);

// One unit of a service (SPEC §4.8), found as ServiceUnit finds it.
Result<ServiceUnitView> DescribeServiceUnit(store::Transaction& tx, const Principal& caller,
                                            const std::string& service_id,
                                            const std::string& instance_id,
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

// One page of units (query.limit of them, newest first) with their used units; `next` is set
// when more follow, naming the last unit returned.
struct UnitPage {
  std::vector<ComputeUnitDetail> units;
  std::optional<store::UnitCursor> next;
};
UnitPage ListUnitPage(store::Transaction& tx, store::UnitQuery query);

// The caller's units (SPEC §4.5 DescribeComputeUnits): the query's filters and page, limited
// to the account and to units live or released within the retention window.
UnitPage ListAccountUnits(store::Transaction& tx, const Principal& caller, store::UnitQuery query,
                          const LifecycleConfig& config, UnixSeconds now);

// A unit as its service sees it (SPEC §4.6 and §4.8 service forms): the service and the unit
// must be the caller's, and the unit bought for the service or serving it (or, released within
// the retention window, having served it); ResourceNotFound otherwise.
Result<Instance> ServiceUnit(store::Transaction& tx, const Principal& caller,
                             const std::string& service_id, const std::string& instance_id,
                             const LifecycleConfig& config, UnixSeconds now);

// Releases a Postpaid unit now (SPEC §4.6); `service_id` non-empty is the service form. A unit
// already gone (Released, Releasing, CreateFailed) is a success that changes nothing.
Status ReleaseComputeUnit(store::Transaction& tx, const Principal& caller,
                          const std::string& instance_id, const std::string& service_id,
                          const LifecycleConfig& config, UnixSeconds now);

// Schedules (release_time set) or clears (nullopt) the release of a Postpaid unit.
Status SetAutoRelease(store::Transaction& tx, const Principal& caller,
                      const std::string& instance_id, std::optional<UnixSeconds> release_time,
                      UnixSeconds now);

}  // namespace cuplane::core
