// Reading a bootstrap file (SPEC §6) into a core::BootstrapSpec. A file that is not valid is
// refused with a message naming the field ("accounts[0].users[1].policies[0]: ...").
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "core/bootstrap.h"

namespace cuplane::cli {

Result<core::BootstrapSpec> ParseBootstrapJson(std::string_view text);
Result<core::BootstrapSpec> LoadBootstrapFile(const std::string& path);

// The first-start demo: an account with a full-control user and a fresh key, a service, a pool,
// prices for every unit type, and an operator key. Keys come from the CSPRNG.
core::BootstrapSpec MakeDemoSpec();

}  // namespace cuplane::cli
