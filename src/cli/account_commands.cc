#include "cli/account_commands.h"

#include <cstdint>
#include <memory>
#include <optional>

#include "cli/result_text.h"
#include "cli/table.h"

namespace cuplane::cli {
namespace {

namespace json = boost::json;

// What a command's arguments parse into. Each command owns one (shared with its lambdas, which
// run after parsing); the structs are per group only to keep the field lists in one place.
struct AccountArgs {
  std::string account_id;
  std::string from;
  std::string to;
  std::string name;
  std::optional<std::int64_t> balance;
  std::optional<std::int64_t> max_keys;
  std::string marker;
  std::int64_t amount = 0;
};

struct UserArgs {
  std::string account_id;
  std::string user_name;
  std::vector<std::string> policies;
  std::string policy;
  std::string access_key;
};

struct ServiceArgs {
  std::string account_id;
  std::string name;
  std::string region;
  std::string type;
  std::int64_t units_per_replica = 0;
  std::string service_id;
};

void AddAccountCreate(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<AccountArgs>();
  CLI::App* cmd = registry.Add(
      group, "create", "create a tenant account",
      [args] {
        json::object body{{"name", args->name}};
        if (!args->account_id.empty()) body["accountId"] = args->account_id;
        if (args->balance) body["balance"] = *args->balance;
        return OperatorRequest("CreateAccount", std::move(body));
      },
      [](const json::value& result, std::ostream& out) {
        out << "Created account " << FieldText(result, "accountId") << ".\n";
      });
  cmd->add_option("--name", args->name, "display name")->required();
  cmd->add_option("--id", args->account_id, "account id (default: a generated acct-...)");
  cmd->add_option("--balance", args->balance, "opening balance in fen (default 0)");
}

void PrintLedger(const json::value& result, std::ostream& out) {
  Table ledger({"TIME", "AMOUNT (FEN)", "KIND", "INSTANCE", "NOTE"});
  for (const json::value& e : ArrayField(result, "ledger")) {
    ledger.AddRow({FieldText(e, "time"), FieldText(e, "amount"), FieldText(e, "kind"),
                   FieldText(e, "instanceId"), FieldText(e, "note")});
  }
  ledger.Print(out);
}

void PrintAccount(const json::value& result, std::ostream& out) {
  PrintFields(out, {{"Account", FieldText(result, "accountId")},
                    {"Name", FieldText(result, "name")},
                    {"Balance (fen)", FieldText(result, "balance")},
                    {"In arrears", FieldText(result, "inArrears")}});
  out << "\nLedger (newest first):\n";
  PrintLedger(result, out);
  if (Field(result, "nextMarker").is_string()) {
    out << "\nMore entries: add --marker " << FieldText(result, "nextMarker") << "\n";
  }
}

void AddAccountDescribe(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<AccountArgs>();
  CLI::App* cmd = registry.Add(
      group, "describe", "show an account's balance and a page of its ledger",
      [args] {
        json::object body{{"accountId", args->account_id}};
        if (!args->marker.empty()) body["marker"] = args->marker;
        if (args->max_keys) body["maxKeys"] = *args->max_keys;
        return OperatorRequest("DescribeAccount", std::move(body));
      },
      PrintAccount);
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("--max-keys", args->max_keys, "ledger entries per page (1..1000, default 100)");
  cmd->add_option("--marker", args->marker, "continue after a previous page's marker");
}

void AddAccountTopUp(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<AccountArgs>();
  CLI::App* cmd = registry.Add(
      group, "top-up", "add money to an account's balance",
      [args] {
        return OperatorRequest("TopUpBalance",
                               {{"accountId", args->account_id}, {"amount", args->amount}});
      },
      [args](const json::value& result, std::ostream& out) {
        out << "Balance of " << args->account_id << " is now " << FieldText(result, "balance")
            << " fen.\n";
      });
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("AMOUNT", args->amount, "amount in fen (> 0)")->required();
}

void PrintAccounts(const json::value& result, std::ostream& out) {
  Table table({"ACCOUNT", "NAME", "BALANCE (FEN)", "IN ARREARS", "LIVE UNITS"});
  for (const json::value& a : ArrayField(result, "accounts")) {
    table.AddRow({FieldText(a, "accountId"), FieldText(a, "name"), FieldText(a, "balance"),
                  FieldText(a, "inArrears"), FieldText(a, "liveUnits")});
  }
  table.Print(out);
  if (Field(result, "nextMarker").is_string()) {
    out << "\nMore accounts: add --marker " << FieldText(result, "nextMarker") << "\n";
  }
}

void AddAccountList(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<AccountArgs>();
  CLI::App* cmd = registry.Add(
      group, "list", "list accounts with their balances and live units (settles nothing)",
      [args] {
        json::object body;
        if (!args->marker.empty()) body["marker"] = args->marker;
        if (args->max_keys) body["maxKeys"] = *args->max_keys;
        return OperatorRequest("DescribeAccounts", std::move(body));
      },
      PrintAccounts);
  cmd->add_option("--max-keys", args->max_keys, "accounts per page (1..1000, default 100)");
  cmd->add_option("--marker", args->marker, "continue after a previous page's marker");
}

void PrintUsage(const json::value& result, std::ostream& out) {
  Table table({"INSTANCE", "TYPE", "AMOUNT (FEN)"});
  for (const json::value& u : ArrayField(result, "units")) {
    table.AddRow({FieldText(u, "instanceId"), FieldText(u, "type"), FieldText(u, "amount")});
  }
  table.Print(out);
  out << "\nTotal: " << FieldText(result, "total") << " fen\n";
}

void AddAccountUsage(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<AccountArgs>();
  CLI::App* cmd = registry.Add(
      group, "usage", "each Postpaid unit's cost in [--from, --to), computed from its sizes",
      [args] {
        return OperatorRequest("DescribeUsage", {{"accountId", args->account_id},
                                                 {"from", args->from},
                                                 {"to", args->to}});
      },
      PrintUsage);
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("--from", args->from, "start of the range (RFC 3339, included)")->required();
  cmd->add_option("--to", args->to, "end of the range (RFC 3339, excluded)")->required();
}

void AddUserCreate(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UserArgs>();
  CLI::App* cmd = registry.Add(
      group, "create", "create a user in an account",
      [args] {
        json::array policies(args->policies.begin(), args->policies.end());
        return OperatorRequest("CreateUser", {{"accountId", args->account_id},
                                              {"name", args->user_name},
                                              {"policies", std::move(policies)}});
      },
      [args](const json::value& result, std::ostream& out) {
        out << "Created user " << FieldText(result, "name") << " in " << args->account_id << ".\n";
      });
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("NAME", args->user_name, "user name")->required();
  cmd->add_option("--policy", args->policies,
                  "policy to attach; repeatable (QianfanFullControlAccessPolicy, "
                  "QianfanServiceOperateAccessPolicy, QianfanServiceReadAccessPolicy)");
}

void PrintNewKey(const json::value& result, std::ostream& out) {
  PrintFields(out, {{"Access key", FieldText(result, "accessKey")},
                    {"Secret key", FieldText(result, "secretKey")}});
  out << "The secret key is shown only once: store it now, it cannot be retrieved later.\n";
}

void AddKeyCreate(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UserArgs>();
  CLI::App* cmd = registry.Add(
      group, "create", "create an access key for a user (its secret is shown only once)",
      [args] {
        return OperatorRequest("CreateAccessKey",
                               {{"accountId", args->account_id}, {"userName", args->user_name}});
      },
      PrintNewKey);
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("USER", args->user_name, "user name")->required();
}

void AddKeyDisable(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UserArgs>();
  CLI::App* cmd = registry.Add(
      group, "disable", "disable an access key; requests signed with it fail from now on",
      [args] {
        return OperatorRequest("DisableAccessKey", {{"accessKey", args->access_key}});
      },
      [args](const json::value&, std::ostream& out) {
        out << "Disabled access key " << args->access_key << ".\n";
      });
  cmd->add_option("ACCESS_KEY", args->access_key, "the access key id")->required();
}

// attach and detach differ only in the action and the words.
void AddPolicyChange(CLI::App* group, CommandRegistry& registry, const std::string& name,
                     const std::string& action, const std::string& done) {
  auto args = std::make_shared<UserArgs>();
  CLI::App* cmd = registry.Add(
      group, name, name + " a policy; it applies from the user's next request",
      [args, action] {
        return OperatorRequest(action, {{"accountId", args->account_id},
                                        {"userName", args->user_name},
                                        {"policy", args->policy}});
      },
      [args, done](const json::value&, std::ostream& out) {
        out << done << " " << args->policy << " for user " << args->user_name << " of "
            << args->account_id << ".\n";
      });
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("USER", args->user_name, "user name")->required();
  cmd->add_option("POLICY", args->policy, "policy name")->required();
}

void AddServiceCreate(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "create", "create a service (fixes region, type and units per replica)",
      [args] {
        json::object body{{"accountId", args->account_id},
                          {"name", args->name},
                          {"region", args->region},
                          {"type", args->type},
                          {"unitsPerReplica", args->units_per_replica}};
        if (!args->service_id.empty()) body["serviceId"] = args->service_id;
        return OperatorRequest("CreateService", std::move(body));
      },
      [](const json::value& result, std::ostream& out) {
        out << "Created service " << FieldText(result, "serviceId") << ".\n";
      });
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
  cmd->add_option("--name", args->name, "service name")->required();
  cmd->add_option("--region", args->region, "region: bj, bd, sz, gz, yq or global")->required();
  cmd->add_option("--type", args->type, "unit type: cpu, gpu-1 ... gpu-6")->required();
  cmd->add_option("--units-per-replica", args->units_per_replica, "compute units per replica")
      ->required();
  cmd->add_option("--id", args->service_id, "service id (default: generated)");
}

void PrintServices(const json::value& result, std::ostream& out) {
  Table table({"SERVICE", "NAME", "REGION", "TYPE", "UNITS/REPLICA", "RUN STATUS"});
  for (const json::value& s : ArrayField(result, "services")) {
    table.AddRow({FieldText(s, "serviceId"), FieldText(s, "name"), FieldText(s, "region"),
                  FieldText(s, "type"), FieldText(s, "unitsPerReplica"),
                  FieldText(s, "runStatus")});
  }
  table.Print(out);
}

void AddServiceList(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "list", "list an account's services",
      [args] {
        return OperatorRequest("DescribeServices", {{"accountId", args->account_id}});
      },
      PrintServices);
  cmd->add_option("ACCOUNT", args->account_id, "account id")->required();
}

}  // namespace

void AddAccountCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* account =
      CommandRegistry::AddGroup(app, "account", "tenant accounts: create, list, describe, usage, top up");
  AddAccountCreate(account, registry);
  AddAccountList(account, registry);
  AddAccountDescribe(account, registry);
  AddAccountUsage(account, registry);
  AddAccountTopUp(account, registry);

  CLI::App* user = CommandRegistry::AddGroup(app, "user", "users of an account");
  AddUserCreate(user, registry);

  CLI::App* key = CommandRegistry::AddGroup(app, "key", "users' access keys");
  AddKeyCreate(key, registry);
  AddKeyDisable(key, registry);

  CLI::App* policy = CommandRegistry::AddGroup(app, "policy", "users' policies");
  AddPolicyChange(policy, registry, "attach", "AttachPolicy", "Attached");
  AddPolicyChange(policy, registry, "detach", "DetachPolicy", "Detached");

  CLI::App* service = CommandRegistry::AddGroup(app, "service", "an account's services");
  AddServiceCreate(service, registry);
  AddServiceList(service, registry);
}

}  // namespace cuplane::cli
