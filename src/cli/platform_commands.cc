#include "cli/platform_commands.h"

#include <cstdint>
#include <memory>
#include <optional>

#include "cli/result_text.h"
#include "cli/table.h"

namespace cuplane::cli {
namespace {

namespace json = boost::json;

// What a command's arguments parse into (one per command, shared with its lambdas).
struct PlatformArgs {
  std::string region;
  std::string type;
  std::int64_t total_units = 0;
  std::int64_t prepaid_per_unit_month = 0;
  std::int64_t postpaid_per_unit_hour = 0;
  std::optional<std::int64_t> seconds;
  std::string to;
};

void AddInventorySet(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<PlatformArgs>();
  CLI::App* cmd = registry.Add(
      group, "set", "set a pool's total units (never below what is allocated)",
      [args] {
        return OperatorRequest(
            "SetInventory",
            {{"region", args->region}, {"type", args->type}, {"totalUnits", args->total_units}});
      },
      [args](const json::value&, std::ostream& out) {
        out << "Pool " << args->region << "/" << args->type << " now has " << args->total_units
            << " units.\n";
      });
  cmd->add_option("REGION", args->region, "region: bj, bd, sz, gz, yq or global")->required();
  cmd->add_option("TYPE", args->type, "unit type: cpu, gpu-1 ... gpu-6")->required();
  cmd->add_option("TOTAL", args->total_units, "total units in the pool")->required();
}

void PrintPools(const json::value& result, std::ostream& out) {
  Table table({"REGION", "TYPE", "TOTAL", "ALLOCATED", "FREE"});
  for (const json::value& p : ArrayField(result, "pools")) {
    std::string free = "-";
    const json::value& total = Field(p, "totalUnits");
    const json::value& allocated = Field(p, "allocatedUnits");
    if (total.is_int64() && allocated.is_int64()) {
      free = std::to_string(total.get_int64() - allocated.get_int64());
    }
    table.AddRow(
        {FieldText(p, "region"), FieldText(p, "type"), Text(total), Text(allocated), free});
  }
  table.Print(out);
}

void AddInventoryList(CLI::App* group, CommandRegistry& registry) {
  registry.Add(
      group, "list", "list the pools with their allocated units",
      [] { return OperatorRequest("DescribeInventory"); }, PrintPools);
}

void AddPriceSet(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<PlatformArgs>();
  CLI::App* cmd = registry.Add(
      group, "set", "set the prices of a unit type (new purchases and renewals)",
      [args] {
        return OperatorRequest("SetPrice", {{"type", args->type},
                                            {"prepaidPerUnitMonth", args->prepaid_per_unit_month},
                                            {"postpaidPerUnitHour", args->postpaid_per_unit_hour}});
      },
      [args](const json::value&, std::ostream& out) {
        out << "Prices of " << args->type << " set.\n";
      });
  cmd->add_option("TYPE", args->type, "unit type: cpu, gpu-1 ... gpu-6")->required();
  cmd->add_option("--prepaid-per-unit-month", args->prepaid_per_unit_month,
                  "Prepaid price in fen per unit per month")
      ->required();
  cmd->add_option("--postpaid-per-unit-hour", args->postpaid_per_unit_hour,
                  "Postpaid price in fen per unit per hour")
      ->required();
}

void PrintPrices(const json::value& result, std::ostream& out) {
  Table table({"TYPE", "PREPAID (FEN/UNIT/MONTH)", "POSTPAID (FEN/UNIT/HOUR)"});
  for (const json::value& p : ArrayField(result, "prices")) {
    table.AddRow({FieldText(p, "type"), FieldText(p, "prepaidPerUnitMonth"),
                  FieldText(p, "postpaidPerUnitHour")});
  }
  table.Print(out);
}

void AddPriceList(CLI::App* group, CommandRegistry& registry) {
  registry.Add(
      group, "list", "list the prices", [] { return OperatorRequest("DescribePrices"); },
      PrintPrices);
}

void AddClockShow(CLI::App* group, CommandRegistry& registry) {
  registry.Add(
      group, "show", "show the server's time and clock mode",
      [] { return OperatorRequest("DescribeClock"); },
      [](const json::value& result, std::ostream& out) {
        PrintFields(out, {{"Now", FieldText(result, "now")}, {"Mode", FieldText(result, "mode")}});
      });
}

void AddClockAdvance(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<PlatformArgs>();
  CLI::App* cmd = registry.Add(
      group, "advance", "move the virtual clock forward, running everything due on the way",
      [args] {
        json::object body;
        if (args->seconds) body["seconds"] = *args->seconds;
        if (!args->to.empty()) body["to"] = args->to;
        return OperatorRequest("AdvanceClock", std::move(body));
      },
      [](const json::value& result, std::ostream& out) {
        out << "Clock is now " << FieldText(result, "now") << ".\n";
      });
  CLI::Option_group* how = cmd->add_option_group("how far", "exactly one of");
  how->add_option("--seconds", args->seconds, "advance by this many seconds");
  how->add_option("--to", args->to, "advance to this RFC 3339 time");
  how->require_option(1);
}

}  // namespace

void AddPlatformCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* inventory =
      CommandRegistry::AddGroup(app, "inventory", "unit pools per region and type");
  AddInventorySet(inventory, registry);
  AddInventoryList(inventory, registry);

  CLI::App* price = CommandRegistry::AddGroup(app, "price", "prices per unit type");
  AddPriceSet(price, registry);
  AddPriceList(price, registry);

  CLI::App* clock = CommandRegistry::AddGroup(app, "clock", "the server's clock");
  AddClockShow(clock, registry);
  AddClockAdvance(clock, registry);
}

}  // namespace cuplane::cli
