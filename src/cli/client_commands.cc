#include "cli/client_commands.h"

#include <memory>

#include "cli/account_commands.h"
#include "cli/api_command.h"
#include "cli/platform_commands.h"
#include "cli/state_commands.h"
#include "cli/tenant_service_commands.h"
#include "cli/unit_commands.h"

namespace cuplane::cli {

std::function<int()> AddClientCommands(CLI::App& app) {
  // Shared with the returned function: the options write into it during parsing.
  auto registry = std::make_shared<CommandRegistry>();
  AddAccountCommands(app, *registry);
  AddPlatformCommands(app, *registry);
  AddStateCommands(app, *registry);
  AddUnitCommands(app, *registry);
  AddTenantServiceCommands(app, *registry);
  return [registry] { return registry->RunParsed(); };
}

}  // namespace cuplane::cli
