// The `cuplane` commands that call a running server: operator commands (account, user, key,
// policy, service, inventory, price, clock, state, snapshot) and tenant commands (unit, svc).
// The endpoint and key come from flags or CUPLANE_ENDPOINT, CUPLANE_ACCESS_KEY,
// CUPLANE_SECRET_KEY (for https://, also what to trust: --ca-file or CUPLANE_CA_FILE). Output
// is a human-readable table, or the result JSON with --json. Errors print code and message
// and exit non-zero.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace cuplane::cli {

// Registers the commands on `app`. After app.parse(), the returned function runs the command
// that was parsed and returns the exit code (2 when none of these was parsed).
std::function<int()> AddClientCommands(CLI::App& app);

}  // namespace cuplane::cli
