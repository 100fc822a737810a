#include "core/auto_renew_rules.h"

namespace cuplane::core {
namespace {

// The caller's live Prepaid unit, or why a rule cannot apply to it.
Result<Instance> RenewableUnit(store::Transaction& tx, const Principal& caller,
                               const std::string& instance_id) {
  auto instance = tx.GetInstance(instance_id);
  if (!instance || instance->account_id != caller.account_id) {
    return MakeError(ErrorCode::kResourceNotFound,
                     "compute unit instance " + instance_id + " does not exist");
  }
  if (instance->payment_timing != PaymentTiming::kPrepaid) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "auto-renewal applies only to Prepaid compute units");
  }
  if (IsTerminal(instance->status) || instance->status == InstanceStatus::kReleasing) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "the compute unit is " + std::string(ToString(instance->status)));
  }
  return *instance;
}

}  // namespace

Status CreateAutoRenewRule(store::Transaction& tx, const Principal& caller,
                           const std::string& instance_id, int months) {
  CUPLANE_ASSIGN_OR_RETURN(Instance instance, RenewableUnit(tx, caller, instance_id));
  instance.auto_renew = true;
  instance.auto_renew_months = months;
  tx.UpdateInstance(instance);
  return OkStatus();
}

Status DeleteAutoRenewRule(store::Transaction& tx, const Principal& caller,
                           const std::string& instance_id) {
  CUPLANE_ASSIGN_OR_RETURN(Instance instance, RenewableUnit(tx, caller, instance_id));
  instance.auto_renew = false;
  tx.UpdateInstance(instance);
  return OkStatus();
}

}  // namespace cuplane::core
