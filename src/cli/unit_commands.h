// Tenant commands (SPEC §4): `unit purchase`, `unit list`, `unit describe` and
// `unit auto-release`, called with a tenant's access key exactly as a Qianfan SDK would.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/api_command.h"

namespace cuplane::cli {

void AddUnitCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace cuplane::cli
