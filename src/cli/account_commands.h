// Operator commands for what a tenant account holds (SPEC §6): `account`, `user`, `key`,
// `policy` and `service`. Each is one call to /v1/operator with an operator key.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/api_command.h"

namespace cuplane::cli {

void AddAccountCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace cuplane::cli
