#include "core/tenants.h"

#include "common/random_id.h"
#include "core/services.h"

namespace cuplane::core {
namespace {

Error NotFound(const std::string& what) {
  return MakeError(ErrorCode::kResourceNotFound, what + " does not exist");
}

Status RequireAccount(store::Transaction& tx, const std::string& account_id) {
  if (!tx.GetAccount(account_id)) return NotFound("account " + account_id);
  return OkStatus();
}

Status RequireUser(store::Transaction& tx, const std::string& account_id,
                   const std::string& user_name) {
  CUPLANE_TRY(RequireAccount(tx, account_id));
  if (!tx.UserExists(account_id, user_name)) {
    return NotFound("user " + user_name + " of account " + account_id);
  }
  return OkStatus();
}

NewAccessKey InsertKey(store::Transaction& tx, const SecretBox& box, bool is_operator,
                       const std::string& account_id, const std::string& user_name,
                       UnixSeconds now) {
  NewAccessKey key{(is_operator ? "op-" : "ak-") + RandomLowerAlnum(29), RandomAlnum(40)};
  tx.InsertAccessKey(
      AccessKey{key.access_key, box.Seal(key.secret_key), is_operator, true, account_id, user_name},
      now);
  return key;
}

}  // namespace

Status ValidateIdentifier(const std::string& value, const std::string& field) {
  bool ok = !value.empty() && value.size() <= 64;
  for (char c : value) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.';
    ok = ok && allowed;
  }
  if (ok) return OkStatus();
  return MakeError(ErrorCode::kInvalidParameter,
                   field + " must be 1 to 64 characters of letters, digits, '.', '_' or '-'");
}

Status CreateUser(store::Transaction& tx, const std::string& account_id, const std::string& name,
                  const std::vector<Policy>& policies, UnixSeconds now) {
  CUPLANE_TRY(ValidateIdentifier(name, "name"));
  CUPLANE_TRY(RequireAccount(tx, account_id));
  if (tx.UserExists(account_id, name)) {
    return MakeError(ErrorCode::kOperationNotAllowed, "user " + name + " already exists");
  }
  tx.InsertUser(account_id, name, now);
  for (Policy p : policies) tx.AddPolicy(account_id, name, p);
  return OkStatus();
}

Result<NewAccessKey> CreateAccessKey(store::Transaction& tx, const SecretBox& box,
                                     const std::string& account_id, const std::string& user_name,
                                     UnixSeconds now) {
  CUPLANE_TRY(RequireUser(tx, account_id, user_name));
  return InsertKey(tx, box, false, account_id, user_name, now);
}

Result<NewAccessKey> CreateOperatorKey(store::Transaction& tx, const SecretBox& box,
                                       UnixSeconds now) {
  return InsertKey(tx, box, true, "", "", now);
}

Status DisableAccessKey(store::Transaction& tx, const std::string& access_key) {
  if (!tx.GetAccessKey(access_key)) return NotFound("access key " + access_key);
  tx.SetAccessKeyEnabled(access_key, false);
  return OkStatus();
}

Status AttachPolicy(store::Transaction& tx, const std::string& account_id,
                    const std::string& user_name, Policy policy) {
  CUPLANE_TRY(RequireUser(tx, account_id, user_name));
  tx.AddPolicy(account_id, user_name, policy);
  return OkStatus();
}

Status DetachPolicy(store::Transaction& tx, const std::string& account_id,
                    const std::string& user_name, Policy policy) {
  CUPLANE_TRY(RequireUser(tx, account_id, user_name));
  tx.RemovePolicy(account_id, user_name, policy);
  return OkStatus();
}

Result<std::string> CreateService(store::Transaction& tx, Service service, UnixSeconds now) {
  CUPLANE_TRY(RequireAccount(tx, service.account_id));
  if (service.service_id.empty()) service.service_id = "svco-" + RandomLowerAlnum(12);
  CUPLANE_TRY(ValidateIdentifier(service.service_id, "serviceId"));
  if (!IsKnownRegion(service.region)) {
    return MakeError(ErrorCode::kInvalidParameter, "region " + service.region + " is not known");
  }
  if (!IsKnownUnitType(service.type)) {
    return MakeError(ErrorCode::kInvalidParameter, "type " + service.type + " is not known");
  }
  if (tx.GetService(service.service_id)) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "service " + service.service_id + " already exists");
  }
  service.created_at = now;
  tx.InsertService(service);
  return service.service_id;
}

Result<std::vector<ServiceView>> DescribeServices(store::Transaction& tx,
                                                  const std::string& account_id) {
  CUPLANE_TRY(RequireAccount(tx, account_id));
  std::vector<ServiceView> views;
  for (Service& service : tx.ListServices(account_id)) {
    std::string status(ToString(ServiceRunStatus(tx, service)));
    views.push_back(ServiceView{std::move(service), std::move(status)});
  }
  return views;
}

}  // namespace cuplane::core
