// Operator commands for platform-wide settings (SPEC §6): `inventory` (unit pools), `price`
// (per unit type) and `clock` (the server's clock; advancing needs --clock virtual).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/api_command.h"

namespace cuplane::cli {

void AddPlatformCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace cuplane::cli
