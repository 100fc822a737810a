#include "cli/command_list.h"

#include <string>
#include <utility>
#include <vector>

#include "cli/endpoint.h"
#include "cli/table.h"

namespace cuplane::cli {
namespace {

// Named subcommands only: CLI11 keeps option groups as nameless subcommands.
std::vector<const CLI::App*> NamedSubcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
}

// Each runnable command as "group sub" with its description; groups themselves are not listed.
void CollectLeaves(const CLI::App& app, const std::string& prefix, Table& table) {
  for (const CLI::App* sub : NamedSubcommands(app)) {
    std::string path = prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name();
    if (NamedSubcommands(*sub).empty()) {
      table.AddRow({"  " + path, sub->get_description()});
    } else {
      CollectLeaves(*sub, path, table);
    }
  }
}

}  // namespace

void PrintCommandList(const CLI::App& app, std::ostream& out) {
  out << app.get_description() << "\n\nCommands:\n";
  Table table;
  CollectLeaves(app, "", table);
  table.Print(out);
  out << "\nThe account, user, key, policy, service, inventory, price, clock, state and snapshot\n"
         "commands need an operator key; the unit and svc commands a tenant's key. They take\n"
         "  --endpoint URL    default $CUPLANE_ENDPOINT, else "
      << kDefaultEndpoint
      << "\n"
         "  --access-key AK   default $CUPLANE_ACCESS_KEY\n"
         "  --secret-key SK   default $CUPLANE_SECRET_KEY\n"
         "  --ca-file FILE    https:// only: PEM certificates to trust instead of the system's;\n"
         "                    default $CUPLANE_CA_FILE\n"
         "  --json            print the result as JSON instead of a table\n"
         "Errors print `error: <Code>: <message>` and exit 1.\n"
         "Run `cuplane COMMAND --help` for a command's flags.\n";
}

}  // namespace cuplane::cli
