#include "core/model.h"

#include <algorithm>
#include <array>

namespace cuplane::core {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> FindByName(const std::array<std::pair<Enum, std::string_view>, N>& table,
                               std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "";
}

constexpr std::array<std::pair<PaymentTiming, std::string_view>, 2> kPaymentTimings{{
    {PaymentTiming::kPrepaid, "Prepaid"},
    {PaymentTiming::kPostpaid, "Postpaid"},
}};

constexpr std::array<std::pair<InstanceStatus, std::string_view>, 8> kStatuses{{
    {InstanceStatus::kCreating, "Creating"},
    {InstanceStatus::kCreateFailed, "CreateFailed"},
    {InstanceStatus::kRunning, "Running"},
    {InstanceStatus::kReleasing, "Releasing"},
    {InstanceStatus::kReleased, "Released"},
    {InstanceStatus::kReconfiguring, "Reconfiguring"},
    {InstanceStatus::kReconfigureFailed, "ReconfigureFailed"},
    {InstanceStatus::kBillingChanging, "BillingChanging"},
}};

constexpr std::array<std::pair<LedgerKind, std::string_view>, 6> kLedgerKinds{{
    {LedgerKind::kTopup, "topup"},
    {LedgerKind::kPrepaid, "prepaid"},
    {LedgerKind::kRenewal, "renewal"},
    {LedgerKind::kResize, "resize"},
    {LedgerKind::kPostpaid, "postpaid"},
    {LedgerKind::kRefund, "refund"},
}};

constexpr std::array<std::pair<OrderKind, std::string_view>, 3> kOrderKinds{{
    {OrderKind::kPurchase, "purchase"},
    {OrderKind::kResize, "resize"},
    {OrderKind::kRenewal, "renewal"},
}};

constexpr std::array<std::pair<FaultOperation, std::string_view>, 4> kFaultOperations{{
    {FaultOperation::kProvision, "provision"},
    {FaultOperation::kReconfigure, "reconfigure"},
    {FaultOperation::kDeploy, "deploy"},
    {FaultOperation::kDeactivate, "deactivate"},
}};

constexpr std::array<std::pair<Policy, std::string_view>, 3> kPolicies{{
    {Policy::kFullControl, "QianfanFullControlAccessPolicy"},
    {Policy::kServiceOperate, "QianfanServiceOperateAccessPolicy"},
    {Policy::kServiceRead, "QianfanServiceReadAccessPolicy"},
}};

constexpr std::array<std::pair<ServiceLifecycle, std::string_view>, 4> kLifecycles{{
    {ServiceLifecycle::kActive, "Active"},
    {ServiceLifecycle::kDeactivating, "Deactivating"},
    {ServiceLifecycle::kStopped, "Stopped"},
    {ServiceLifecycle::kDeactivationFailed, "DeactivationFailed"},
}};

constexpr std::array<std::pair<RunStatus, std::string_view>, 7> kRunStatuses{{
    {RunStatus::kNew, "New"},
    {RunStatus::kDeploying, "Deploying"},
    {RunStatus::kServing, "Serving"},
    {RunStatus::kFailed, "Failed"},
    {RunStatus::kDeactivating, "Deactivating"},
    {RunStatus::kStopped, "Stopped"},
    {RunStatus::kDeactivationFailed, "DeactivationFailed"},
}};

constexpr std::array<std::pair<ScaleStatus, std::string_view>, 4> kScaleStatuses{{
    {ScaleStatus::kNone, ""},
    {ScaleStatus::kScalingOut, "ScalingOut"},
    {ScaleStatus::kScalingIn, "ScalingIn"},
    {ScaleStatus::kScalingFailed, "ScalingFailed"},
}};

constexpr std::array<std::pair<TransitionKind, std::string_view>, 8> kTransitionKinds{{
    {TransitionKind::kProvision, "provision"},
    {TransitionKind::kExpire, "expire"},
    {TransitionKind::kAutoRelease, "auto_release"},
    {TransitionKind::kSettle, "settle"},
    {TransitionKind::kArrearsCheck, "arrears_check"},
    {TransitionKind::kDeploy, "deploy"},
    {TransitionKind::kDeactivate, "deactivate"},
    {TransitionKind::kReconfigure, "reconfigure"},
}};

}  // namespace

std::string_view ToString(PaymentTiming p) { return NameOf(kPaymentTimings, p); }
std::optional<PaymentTiming> ParsePaymentTiming(std::string_view text) {
  return FindByName(kPaymentTimings, text);
}

std::string_view ToString(InstanceStatus s) { return NameOf(kStatuses, s); }
std::optional<InstanceStatus> ParseInstanceStatus(std::string_view text) {
  return FindByName(kStatuses, text);
}
bool IsTerminal(InstanceStatus s) {
  return s == InstanceStatus::kReleased || s == InstanceStatus::kCreateFailed;
}

const std::vector<std::string>& KnownRegions() {
  static const std::vector<std::string> regions{"bj", "bd", "sz", "gz", "yq", "global"};
  return regions;
}
const std::vector<std::string>& KnownUnitTypes() {
  static const std::vector<std::string> types{"cpu",   "gpu-1", "gpu-2", "gpu-3",
                                              "gpu-4", "gpu-5", "gpu-6"};
  return types;
}
bool IsKnownRegion(std::string_view region) {
  const auto& r = KnownRegions();
  return std::find(r.begin(), r.end(), region) != r.end();
}
bool IsKnownUnitType(std::string_view type) {
  const auto& t = KnownUnitTypes();
  return std::find(t.begin(), t.end(), type) != t.end();
}

std::string_view ToString(LedgerKind k) { return NameOf(kLedgerKinds, k); }
std::optional<LedgerKind> ParseLedgerKind(std::string_view text) {
  return FindByName(kLedgerKinds, text);
}

std::string_view ToString(OrderKind k) { return NameOf(kOrderKinds, k); }
std::optional<OrderKind> ParseOrderKind(std::string_view text) {
  return FindByName(kOrderKinds, text);
}

std::string_view ToString(FaultOperation op) { return NameOf(kFaultOperations, op); }
std::optional<FaultOperation> ParseFaultOperation(std::string_view text) {
  return FindByName(kFaultOperations, text);
}

std::string_view ToString(Policy p) { return NameOf(kPolicies, p); }
std::optional<Policy> ParsePolicy(std::string_view text) { return FindByName(kPolicies, text); }

std::string_view ToString(ServiceLifecycle l) { return NameOf(kLifecycles, l); }
std::optional<ServiceLifecycle> ParseServiceLifecycle(std::string_view text) {
  return FindByName(kLifecycles, text);
}

std::string_view ToString(RunStatus s) { return NameOf(kRunStatuses, s); }
std::optional<RunStatus> ParseRunStatus(std::string_view text) {
  return FindByName(kRunStatuses, text);
}

std::string_view ToString(ScaleStatus s) { return NameOf(kScaleStatuses, s); }
std::optional<ScaleStatus> ParseScaleStatus(std::string_view text) {
  return FindByName(kScaleStatuses, text);
}

std::string_view ToString(TransitionKind k) { return NameOf(kTransitionKinds, k); }
std::optional<TransitionKind> ParseTransitionKind(std::string_view text) {
  return FindByName(kTransitionKinds, text);
}

}  // namespace cuplane::core
