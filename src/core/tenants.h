// Managing tenants (SPEC §6 operator plane): users, their policies and access keys, and
// services. Secrets are sealed by the caller-supplied SecretBox before they reach the store.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "common/secret_box.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// An identifier an operator may choose (accountId, serviceId, user name): 1..64 characters of
// [A-Za-z0-9._-]. InvalidParameter naming `field` otherwise.
Status ValidateIdentifier(const std::string& value, const std::string& field);

Status CreateUser(store::Transaction& tx, const std::string& account_id, const std::string& name,
                  const std::vector<Policy>& policies, UnixSeconds now);

struct NewAccessKey {
  std::string access_key;
  std::string secret_key;  // plaintext: shown once, stored sealed
};

// A fresh key pair from the CSPRNG for an existing user.
Result<NewAccessKey> CreateAccessKey(store::Transaction& tx, const SecretBox& box,
                                     const std::string& account_id, const std::string& user_name,
                                     UnixSeconds now);

// An operator key (no account). Used by `cuplane operator-key create` and the bootstrap.
Result<NewAccessKey> CreateOperatorKey(store::Transaction& tx, const SecretBox& box,
                                       UnixSeconds now);

Status DisableAccessKey(store::Transaction& tx, const std::string& access_key);

Status AttachPolicy(store::Transaction& tx, const std::string& account_id,
                    const std::string& user_name, Policy policy);
Status DetachPolicy(store::Transaction& tx, const std::string& account_id,
                    const std::string& user_name, Policy policy);

// `service.service_id` empty: one is generated. Returns the id.
Result<std::string> CreateService(store::Transaction& tx, Service service, UnixSeconds now);

struct ServiceView {
  Service service;
  std::string run_status;  // as the tenant's DescribeService shows it (SPEC §4.11)
};
Result<std::vector<ServiceView>> DescribeServices(store::Transaction& tx,
                                                  const std::string& account_id);

}  // namespace cuplane::core
