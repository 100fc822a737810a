// Tenant commands for services on compute units (SPEC §4.11): `svc create`, `svc describe`,
// `svc list`, `svc scale` and `svc deactivate`, called with a tenant's access key exactly as
// a Qianfan SDK would. (The operator's `service` commands manage any account's services.)
#pragma once

#include <CLI/CLI.hpp>

#include "cli/api_command.h"

namespace cuplane::cli {

void AddTenantServiceCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace cuplane::cli
