#include "cli/state_commands.h"

#include <memory>

#include "cli/result_text.h"
#include "cli/table.h"

namespace cuplane::cli {
namespace {

namespace json = boost::json;

// What a command's arguments parse into (one per command, shared with its lambdas).
struct StateArgs {
  std::string name;
  bool yes = false;
};

// The confirmation of a command that replaces the whole state; CLI11 refuses the command line
// without it, before any request.
void RequireConfirmation(CLI::App* cmd, StateArgs& args) {
  cmd->add_flag("--yes", args.yes,
                "confirm: every account, unit and ledger on the server is replaced")
      ->required();
}

void AddReset(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<StateArgs>();
  CLI::App* cmd = registry.Add(
      group, "reset", "put the state back to the server's bootstrap (and its clock's start)",
      [] { return OperatorRequest("Reset"); },
      [](const json::value&, std::ostream& out) {
        out << "State reset to the server's bootstrap.\n";
      });
  RequireConfirmation(cmd, *args);
}

// A snapshot command on NAME: one action, and a sentence when it is done.
struct NamedCommand {
  const char* name;
  const char* description;
  const char* action;
  const char* done;  // "Saved": prints "Saved snapshot NAME."
  bool replaces_state = false;
};

void AddNamed(CLI::App* group, CommandRegistry& registry, const NamedCommand& command) {
  auto args = std::make_shared<StateArgs>();
  std::string action = command.action;
  std::string done = command.done;
  CLI::App* cmd = registry.Add(
      group, command.name, command.description,
      [args, action] {
        return OperatorRequest(action, {{"name", args->name}});
      },
      [args, done](const json::value&, std::ostream& out) {
        out << done << " snapshot " << args->name << ".\n";
      });
  cmd->add_option("NAME", args->name, "snapshot name (letters, digits, . _ -)")->required();
  if (command.replaces_state) RequireConfirmation(cmd, *args);
}

void PrintSnapshots(const json::value& result, std::ostream& out) {
  Table table({"NAME", "SAVED AT", "ROWS", "DIGEST"});
  for (const json::value& s : ArrayField(result, "snapshots")) {
    table.AddRow({FieldText(s, "name"), FieldText(s, "savedAt"), FieldText(s, "rows"),
                  FieldText(s, "digest")});
  }
  table.Print(out);
}

void AddList(CLI::App* group, CommandRegistry& registry) {
  registry.Add(
      group, "list", "list the snapshots with their row count and digest",
      [] { return OperatorRequest("DescribeSnapshots"); }, PrintSnapshots);
}

}  // namespace

void AddStateCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* state = CommandRegistry::AddGroup(app, "state", "the server's whole state");
  AddReset(state, registry);

  CLI::App* snapshot =
      CommandRegistry::AddGroup(app, "snapshot", "named copies of the server's whole state");
  AddNamed(snapshot, registry,
           {"save", "save the whole state under NAME (replacing a snapshot of that name)",
            "SaveSnapshot", "Saved"});
  AddNamed(snapshot, registry,
           {"restore", "put the state back exactly as saved under NAME, clock included",
            "RestoreSnapshot", "Restored", true});
  AddList(snapshot, registry);
  AddNamed(snapshot, registry, {"delete", "delete the snapshot NAME", "DeleteSnapshot", "Deleted"});
}

}  // namespace cuplane::cli
