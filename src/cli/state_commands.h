// Operator commands for the server's whole state, the test-double actions (SPEC §6): `state
// reset` (back to the bootstrap) and `snapshot save|restore|list|delete`. Reset and restore
// replace every account, unit and ledger on the server, so they want --yes: a command line
// typed against the wrong endpoint must not wipe it.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/api_command.h"

namespace cuplane::cli {

void AddStateCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace cuplane::cli
