// Tenancy (SPEC §3): a tenant reaches only its own services and units. Another account's
// resource is reported exactly as a missing one, so ids reveal nothing across accounts.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::core {

// ResourceNotFound: "<what> <id> does not exist".
Error NotFound(std::string_view what, const std::string& id);

Result<Service> OwnedService(store::Transaction& tx, const Principal& caller,
                             const std::string& service_id);

Result<Instance> OwnedInstance(store::Transaction& tx, const Principal& caller,
                               const std::string& instance_id);

}  // namespace cuplane::core
