// What `cuplane serve --bootstrap FILE` (and the first-start demo) sets up (SPEC §6). Applying
// creates what does not exist yet and leaves what exists untouched, so a restart never resets
// a balance.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "common/secret_box.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

struct BootstrapKey {
  std::string access_key;
  std::string secret_key;
};

struct BootstrapUser {
  std::string name;
  std::vector<Policy> policies;
  std::vector<BootstrapKey> access_keys;
};

struct BootstrapAccount {
  std::string account_id;
  std::string name;
  Money balance = 0;
  std::vector<BootstrapUser> users;
  std::vector<Service> services;  // account_id is filled in from the account
};

struct BootstrapSpec {
  std::vector<BootstrapKey> operators;
  std::vector<Price> prices;
  std::vector<Pool> inventory;  // allocated_units ignored
  std::vector<BootstrapAccount> accounts;
};

// Applies the spec in the caller's transaction, sealing secret keys with `box`. Refuses
// (InvalidParameter) an access key that exists with a different owner, so a bootstrap file
// cannot take over a key.
Status ApplyBootstrap(store::Transaction& tx, const SecretBox& box, const BootstrapSpec& spec,
                      UnixSeconds now);

}  // namespace cuplane::core
