// The nouns of cuplane (SPEC §3–§5): accounts, users, keys, services, pools, prices,
// compute-unit instances, ledger entries and timed transitions. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_util.h"

namespace cuplane::core {

using Money = std::int64_t;  // fen (integer minor units); never a floating-point number

enum class PaymentTiming { kPrepaid, kPostpaid };
std::string_view ToString(PaymentTiming p);
std::optional<PaymentTiming> ParsePaymentTiming(std::string_view text);  // exact: Prepaid|Postpaid

// The detailed status of SPEC §4.4.
enum class InstanceStatus {
  kCreating,
  kCreateFailed,
  kRunning,
  kReleasing,
  kReleased,
  kReconfiguring,
  kReconfigureFailed,
  kBillingChanging,
};
std::string_view ToString(InstanceStatus s);
std::optional<InstanceStatus> ParseInstanceStatus(std::string_view text);
// Released and CreateFailed: the unit holds no capacity and costs nothing any more.
bool IsTerminal(InstanceStatus s);

// Regions and unit types the API knows (SPEC §4.4).
bool IsKnownRegion(std::string_view region);
bool IsKnownUnitType(std::string_view type);
const std::vector<std::string>& KnownRegions();
const std::vector<std::string>& KnownUnitTypes();

struct Account {
  std::string account_id;
  std::string name;
  Money balance = 0;
  std::optional<UnixSeconds> in_arrears_since;  // set while a settlement left balance < 0
  UnixSeconds created_at = 0;
};

// Where a service stands on its own (SPEC §4.11), as stored. The runStatus a client sees is
// derived from this and from its deployments (core/services.h DeriveRunStatus): an active
// service is New, Deploying, Serving or Failed depending on its replicas.
enum class ServiceLifecycle { kActive, kDeactivating, kStopped, kDeactivationFailed };
std::string_view ToString(ServiceLifecycle l);
std::optional<ServiceLifecycle> ParseServiceLifecycle(std::string_view text);

// The runStatus a client sees (SPEC §4.11), derived by core/services.h DeriveRunStatus.
enum class RunStatus {
  kNew,
  kDeploying,
  kServing,
  kFailed,
  kDeactivating,
  kStopped,
  kDeactivationFailed,
};
std::string_view ToString(RunStatus s);
std::optional<RunStatus> ParseRunStatus(std::string_view text);

struct Service {
  std::string service_id;
  std::string account_id;
  std::string name;
  std::string region;
  std::string type;
  std::int64_t units_per_replica = 1;
  std::string creator;
  UnixSeconds created_at = 0;
  std::int64_t seq = 0;  // insertion order, drawn by the store: lists sort by (created_at, seq)
  // Opaque to cuplane: stored and echoed (CreateService).
  std::string description{};
  std::string url_suffix{};
  std::string model_set_id{};
  std::string model_id{};
  ServiceLifecycle lifecycle = ServiceLifecycle::kActive;
  // A deployment failed, or a release took replicas away, since the last successful scale:
  // with no replica up and nothing in flight the service is Failed rather than New.
  bool failed = false;
  std::optional<UnixSeconds> deactivate_at{};  // Deactivating: when it completes
  bool pending_fault = false;                  // the deactivation in flight took a fault
};

struct Pool {
  std::string region;
  std::string type;
  std::int64_t total_units = 0;
  std::int64_t allocated_units = 0;
};

struct Price {
  std::string type;
  Money prepaid_per_unit_month = 0;
  Money postpaid_per_unit_hour = 0;
};

struct Instance {
  std::string instance_id;
  std::int64_t seq = 0;  // insertion order, assigned by the store; breaks created_at ties
  std::string account_id;
  std::string service_id;  // the service it was purchased for
  std::string region;
  std::string type;
  std::int64_t replicas_count = 0;
  std::int64_t total_units = 0;
  PaymentTiming payment_timing = PaymentTiming::kPostpaid;
  InstanceStatus status = InstanceStatus::kCreating;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> start_time;
  std::optional<UnixSeconds> expired_time;  // Prepaid only
  std::optional<UnixSeconds> release_time;  // Postpaid scheduled release
  std::optional<UnixSeconds> released_at;   // when it became Released / CreateFailed
  int reservation_months = 0;               // Prepaid only
  bool auto_renew = false;                  // Prepaid only
  int auto_renew_months = 1;
  int paid_months = 0;                       // Prepaid: months paid so far (purchase + renewals)
  Money prepaid_paid = 0;                    // Prepaid: what the purchase cost, for refunds
  Money unit_price = 0;                      // price per unit-month (Prepaid) or unit-hour
                                             // (Postpaid) locked at purchase
  std::string creator;
  std::string order_id;  // the purchase order: its refund on CreateFailed carries it
  // A fault (core/faults.h) was taken when the pending delayed step (provisioning or a
  // resize) was accepted: that step fails when it runs.
  bool pending_fault = false;
  // Prepaid: the term currently paid for (the reservation, or the last renewal), which ends at
  // expired_time: its length in months and the unit price that paid for it. A resize is
  // pro-rated over it (core/prorating.h).
  int term_months = 0;
  Money term_unit_price = 0;
  // The resize in flight while Reconfiguring (SPEC §4.7): the size before and after, its order,
  // and what its growth has been charged (Prepaid), so that a failure can undo it exactly.
  // resize_order_id is empty when none is in flight.
  std::int64_t resize_from_units = 0;
  std::int64_t resize_to_units = 0;
  std::string resize_order_id;
  Money resize_charge = 0;
};

// Exact Postpaid usage: `fen` whole fen plus `remainder` / 3600 of a fen (0 <= remainder <
// 3600). One unit-hour price × units × seconds is an integer number of 1/3600 fen, so usage is
// kept exactly and rounded only when charged.
struct Usage {
  Money fen = 0;
  std::int64_t remainder = 0;
  friend bool operator==(const Usage&, const Usage&) = default;
};

// An account's Postpaid billing state (SPEC §5.3): its burn rate and exact usage, so that a
// settlement costs the same whatever the number of units.
struct PostpaidAccount {
  std::string account_id;
  Money rate = 0;                 // fen per hour: Σ locked unit price × billed units
  Usage usage;                    // exact usage of all its units up to accrued_until
  UnixSeconds accrued_until = 0;  // usage is accrued up to here
  Money charged = 0;              // Σ of its postpaid ledger charges (positive)
  std::optional<UnixSeconds> next_settlement_at;  // the pending grid settlement, if any
};

// A stretch of a Postpaid unit's life at one billed size: it opens when the unit starts running
// or changes size, and closes when it changes size again or stops. A unit's cost over any range
// is a sum over its few segments, so no per-period row is ever written.
struct UsageSegment {
  std::string instance_id;
  std::string account_id;
  std::string type;
  UnixSeconds start_at = 0;
  std::optional<UnixSeconds> end_at;  // open while the unit runs at this size
  std::int64_t units = 0;
  Money unit_price = 0;  // per unit-hour, locked at purchase
};

// A deployment's progress on its unit (SPEC §4.4 scaleStatus); kNone when stable.
enum class ScaleStatus { kNone, kScalingOut, kScalingIn, kScalingFailed };
std::string_view ToString(ScaleStatus s);  // "" for kNone
std::optional<ScaleStatus> ParseScaleStatus(std::string_view text);

// A service's replicas on one unit (SPEC §4.4 serviceUsageList, §4.11 deployments).
struct Deployment {
  std::string instance_id;
  std::string service_id;
  // The units it holds on the unit: max(replicas, previous_replicas) x unitsPerReplica, so a
  // scale in flight holds the larger of its old and new sizes. Σ over a unit = usedComputeUnits.
  std::int64_t deployed_units = 0;
  std::int64_t replicas = 0;           // what it is (or is becoming, while scaling)
  std::int64_t previous_replicas = 0;  // what it was before the scale in flight
  ScaleStatus scale_status = ScaleStatus::kNone;
  // When the scale in flight completes; unset while it waits for its unit to be provisioned.
  std::optional<UnixSeconds> scale_due_at{};
  bool pending_fault = false;  // the scale in flight took a fault: it fails when due
};

enum class LedgerKind { kTopup, kPrepaid, kRenewal, kResize, kPostpaid, kRefund };
std::string_view ToString(LedgerKind k);
std::optional<LedgerKind> ParseLedgerKind(std::string_view text);

struct LedgerEntry {
  std::int64_t id = 0;
  std::string account_id;
  UnixSeconds time = 0;
  Money amount = 0;  // credits positive, charges negative
  LedgerKind kind = LedgerKind::kTopup;
  std::string instance_id;  // empty when none
  std::string note;
  std::string order_id;  // the purchase, resize or renewal it pays for; empty when none
};

// A purchase, resize or renewal (SPEC §5.4): what its ledger entries and results name.
enum class OrderKind { kPurchase, kResize, kRenewal };
std::string_view ToString(OrderKind k);
std::optional<OrderKind> ParseOrderKind(std::string_view text);

struct Order {
  std::string order_id;  // ord-<16 lowercase alnum>
  std::string account_id;
  std::string instance_id;
  OrderKind kind = OrderKind::kPurchase;
  UnixSeconds created_at = 0;
};

// The operations a fault can be injected into (SPEC §6 InjectFault).
enum class FaultOperation { kProvision, kReconfigure, kDeploy, kDeactivate };
std::string_view ToString(FaultOperation op);
std::optional<FaultOperation> ParseFaultOperation(std::string_view text);

// The next `remaining` such operations fail; an empty region or type matches every pool.
struct Fault {
  FaultOperation operation = FaultOperation::kProvision;
  std::string region;
  std::string type;
  std::int64_t remaining = 0;
};

// The policies of SPEC §3.
enum class Policy { kFullControl, kServiceOperate, kServiceRead };
std::string_view ToString(Policy p);
std::optional<Policy> ParsePolicy(std::string_view text);

// An access key as the verifier needs it. Operator keys belong to no account.
struct AccessKey {
  std::string access_key;
  std::string secret_key;
  bool is_operator = false;
  bool enabled = true;
  std::string account_id;
  std::string user_name;
};

// Who is calling, once the signature verified.
struct Principal {
  bool is_operator = false;
  std::string account_id;
  std::string user_name;
  std::vector<Policy> policies;
  std::string access_key;  // the key that signed the request (throttling is per key)
};

// A timed transition: a durable row that the scheduler applies once, in time order.
enum class TransitionKind {
  kProvision,     // Creating -> Running (or CreateFailed)
  kExpire,        // Prepaid end of reservation: renew or release
  kAutoRelease,   // Postpaid scheduled release
  kSettle,        // an account's Postpaid settlement on the UTC grid (account-level)
  kArrearsCheck,  // account in arrears: release its Postpaid units after the grace period
  kDeploy,        // the scales due on a unit complete (or fail)
  kDeactivate,    // account-level: its services' deactivations due complete (or fail)
  kReconfigure,   // Reconfiguring -> Running at the new size (or ReconfigureFailed)
};
std::string_view ToString(TransitionKind k);
std::optional<TransitionKind> ParseTransitionKind(std::string_view text);

struct Transition {
  std::int64_t id = 0;
  UnixSeconds due_at = 0;
  TransitionKind kind = TransitionKind::kProvision;
  std::string account_id;
  std::string instance_id;  // empty for account-level transitions
};

// What a clientToken remembers (core/client_tokens.h).
struct IdempotencyRecord {
  std::string account_id;
  std::string token;
  std::string fingerprint;  // hash of the action and parameters the token was first used with
  std::string result;       // what the first call returned, as its action encoded it
  UnixSeconds created_at = 0;
};

}  // namespace cuplane::core
