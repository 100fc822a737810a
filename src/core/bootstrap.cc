#include "core/bootstrap.h"

#include "core/accounts.h"

namespace cuplane::core {
namespace {

Status EnsureKey(store::Transaction& tx, const SecretBox& box, AccessKey key, UnixSeconds now) {
  auto existing = tx.GetAccessKey(key.access_key);
  if (!existing) {
    key.secret_key = box.Seal(key.secret_key);
    tx.InsertAccessKey(key, now);
    return OkStatus();
  }
  if (existing->is_operator != key.is_operator || existing->account_id != key.account_id ||
      existing->user_name != key.user_name) {
    return MakeError(ErrorCode::kInvalidParameter,
                     "access key " + key.access_key + " already belongs to someone else");
  }
  return OkStatus();
}

Status EnsureAccount(store::Transaction& tx, const SecretBox& box, const BootstrapAccount& spec,
                     UnixSeconds now) {
  if (!tx.GetAccount(spec.account_id)) {
    CUPLANE_TRY(CreateAccount(tx, spec.account_id, spec.name, spec.balance, now));
  }
  for (const BootstrapUser& user : spec.users) {
    if (!tx.UserExists(spec.account_id, user.name)) {
      tx.InsertUser(spec.account_id, user.name, now);
      for (Policy p : user.policies) tx.AddPolicy(spec.account_id, user.name, p);
    }
    for (const BootstrapKey& key : user.access_keys) {
      CUPLANE_TRY(EnsureKey(
          tx, box,
          AccessKey{key.access_key, key.secret_key, false, true, spec.account_id, user.name}, now));
    }
  }
  for (Service service : spec.services) {
    auto existing = tx.GetService(service.service_id);
    if (existing) {
      if (existing->account_id != spec.account_id) {
        return MakeError(ErrorCode::kInvalidParameter,
                         "service " + service.service_id + " belongs to another account");
      }
      continue;
    }
    service.account_id = spec.account_id;
    service.created_at = now;
    if (service.creator.empty()) {
      service.creator = spec.users.empty() ? spec.name : spec.users.front().name;
    }
    tx.InsertService(service);
  }
  return OkStatus();
}

}  // namespace

Status ApplyBootstrap(store::Transaction& tx, const SecretBox& box, const BootstrapSpec& spec,
                      UnixSeconds now) {
  for (const BootstrapKey& key : spec.operators) {
    CUPLANE_TRY(
        EnsureKey(tx, box, AccessKey{key.access_key, key.secret_key, true, true, "", ""}, now));
  }
  for (const Price& price : spec.prices) {
    if (!tx.GetPrice(price.type)) tx.SetPrice(price);
  }
  for (const Pool& pool : spec.inventory) {
    if (!tx.GetPool(pool.region, pool.type))
      tx.SetPoolTotal(pool.region, pool.type, pool.total_units);
  }
  for (const BootstrapAccount& account : spec.accounts) {
    CUPLANE_TRY(EnsureAccount(tx, box, account, now));
  }
  return OkStatus();
}

}  // namespace cuplane::core
