#include "cli/unit_commands.h"

#include <cstdint>
#include <memory>

#include "cli/result_text.h"
#include "cli/table.h"

namespace cuplane::cli {
namespace {

namespace json = boost::json;

constexpr const char* kServiceResources = "/v2/serviceresources";
constexpr const char* kComputeUnit = "/v2/computeunit";

// What a command's arguments parse into (one per command, shared with its lambdas).
struct UnitArgs {
  std::string service_id;
  std::string instance_id;
  std::int64_t replicas = 0;
  bool postpaid = false;
  bool prepaid = false;
  std::int64_t months = 0;
  bool auto_renew = false;
  std::int64_t renew_months = 1;
  std::string client_token;
  std::string payment;
  std::string release_at;
  bool clear = false;
  std::int64_t count = 0;
};

json::object Billing(const UnitArgs& args) {
  if (args.postpaid) return {{"paymentTiming", "Postpaid"}};
  return {{"paymentTiming", "Prepaid"},
          {"reservation",
           {{"reservationTimeUnit", "Month"},
            {"reservationLength", args.months},
            {"autoRenew", args.auto_renew},
            {"autoRenewTimeUnit", "month"},
            {"autoRenewTime", args.renew_months}}}};
}

void AddPurchaseOptions(CLI::App* cmd, UnitArgs& args) {
  cmd->add_option("SERVICE", args.service_id, "service id")->required();
  cmd->add_option("--replicas", args.replicas, "replicas (units = replicas x units per replica)")
      ->required();
  CLI::Option_group* payment = cmd->add_option_group("payment", "exactly one of");
  payment->add_flag("--postpaid", args.postpaid, "pay per hour of use");
  CLI::Option* prepaid = payment->add_flag("--prepaid", args.prepaid, "pay now for --months");
  payment->require_option(1);
  CLI::Option* months =
      cmd->add_option("--months", args.months, "Prepaid reservation length (1..12)");
  CLI::Option* renew = cmd->add_flag("--auto-renew", args.auto_renew, "renew at expiry");
  CLI::Option* renew_months =
      cmd->add_option("--renew-months", args.renew_months, "months per renewal (1..6, default 1)");
  prepaid->needs(months);
  months->needs(prepaid);
  renew->needs(prepaid);
  renew_months->needs(renew);
  cmd->add_option("--client-token", args.client_token,
                  "idempotency token: a retry with the same token buys nothing more");
}

void AddPurchase(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UnitArgs>();
  CLI::App* cmd = registry.Add(
      group, "purchase", "buy a compute unit for a service",
      [args] {
        json::object body{{"serviceId", args->service_id},
                          {"replicasCount", args->replicas},
                          {"billing", Billing(*args)}};
        if (!args->client_token.empty()) body["clientToken"] = args->client_token;
        return ApiRequest{kServiceResources, "PurchaseComputeUnit", std::move(body)};
      },
      [](const json::value& result, std::ostream& out) {
        out << "Purchased " << FieldText(result, "instanceId") << " (Creating).\n";
      });
  AddPurchaseOptions(cmd, *args);
}

void PrintUnits(const json::value& result, std::ostream& out) {
  Table table({"INSTANCE", "PAYMENT", "REPLICAS", "STATUS", "START", "EXPIRES"});
  for (const json::value& u : ArrayField(result, "instances")) {
    table.AddRow({FieldText(u, "instanceId"), FieldText(u, "paymentTiming"),
                  FieldText(u, "replicasCount"), FieldText(u, "status"), FieldText(u, "startTime"),
                  FieldText(u, "expiredTime")});
  }
  table.Print(out);
}

void AddList(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UnitArgs>();
  CLI::App* cmd = registry.Add(
      group, "list", "list a service's units, newest first",
      [args] {
        json::object body{{"serviceId", args->service_id}};
        if (!args->payment.empty()) body["paymentTiming"] = args->payment;
        return ApiRequest{kServiceResources, "DescribeComputeUnits", std::move(body)};
      },
      PrintUnits);
  cmd->add_option("SERVICE", args->service_id, "service id")->required();
  cmd->add_option("--payment", args->payment, "only Prepaid or only Postpaid units")
      ->check(CLI::IsMember({"Prepaid", "Postpaid"}));
}

std::string Reservation(const json::value& unit) {
  if (Field(unit, "reservationLength").is_null()) return "-";
  return FieldText(unit, "reservationLength") + " " + FieldText(unit, "reservationTimeUnit");
}

std::string AutoRenew(const json::value& unit) {
  const json::value& renew = Field(unit, "autoRenew");
  if (!renew.is_object()) return "off";
  return "every " + FieldText(renew, "renewTime") + " " + FieldText(renew, "renewTimeUnit");
}

void PrintUnit(const json::value& result, std::ostream& out) {
  const json::value& unit = Field(result, "computeUnitInstance");
  PrintFields(out, {{"Instance", FieldText(unit, "instanceId")},
                    {"Status", FieldText(unit, "status")},
                    {"Region", FieldText(unit, "region")},
                    {"Type", FieldText(unit, "type")},
                    {"Units (used/total)", FieldText(unit, "usedComputeUnits") + "/" +
                                               FieldText(unit, "totalComputeUnits")},
                    {"Payment", FieldText(unit, "paymentTiming")},
                    {"Start", FieldText(unit, "startTime")},
                    {"Expires", FieldText(unit, "expiredTime")},
                    {"Release at", FieldText(unit, "releaseTime")},
                    {"Reservation", Reservation(unit)},
                    {"Auto-renew", AutoRenew(unit)},
                    {"Creator", FieldText(unit, "creator")}});
  out << "\nServices:\n";
  Table services({"SERVICE", "NAME", "RUN STATUS", "DEPLOYED UNITS", "CREATOR"});
  for (const json::value& s : ArrayField(result, "serviceUsageList")) {
    services.AddRow({FieldText(s, "serviceId"), FieldText(s, "serviceName"),
                     FieldText(s, "runStatus"), FieldText(s, "deployedComputingUnits"),
                     FieldText(s, "creator")});
  }
  services.Print(out);
}

void AddDescribe(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UnitArgs>();
  CLI::App* cmd = registry.Add(
      group, "describe", "show a unit and the services on it",
      [args] {
        return ApiRequest{kComputeUnit, "DescribeComputeUnit", {{"instanceId", args->instance_id}}};
      },
      PrintUnit);
  cmd->add_option("INSTANCE", args->instance_id, "instance id (unit-...)")->required();
}

void AddAutoRelease(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UnitArgs>();
  CLI::App* cmd = registry.Add(
      group, "auto-release", "schedule (or clear) the release of a Postpaid unit",
      [args] {
        // The API clears the schedule when releaseTime is absent.
        json::object body{{"instanceId", args->instance_id}};
        if (!args->clear) body["releaseTime"] = args->release_at;
        return ApiRequest{kComputeUnit, "AutoReleaseComputeUnit", std::move(body)};
      },
      [args](const json::value&, std::ostream& out) {
        if (args->clear) {
          out << "Scheduled release of " << args->instance_id << " cleared.\n";
        } else {
          out << args->instance_id << " will be released at " << args->release_at << ".\n";
        }
      });
  cmd->add_option("INSTANCE", args->instance_id, "instance id (unit-...)")->required();
  CLI::Option_group* when = cmd->add_option_group("when", "exactly one of");
  when->add_option("--at", args->release_at,
                   "release time: RFC 3339, or YYYY-MM-DD HH:MM:SS in the server's offset");
  when->add_flag("--clear", args->clear, "cancel a scheduled release");
  when->require_option(1);
}

void AddResize(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<UnitArgs>();
  CLI::App* cmd = registry.Add(
      group, "resize", "change a unit's size to --count units (Reconfiguring meanwhile)",
      [args] {
        json::object body{{"instanceId", args->instance_id}, {"count", args->count}};
        if (!args->client_token.empty()) body["clientToken"] = args->client_token;
        return ApiRequest{kComputeUnit, "ResizeComputeUnit", std::move(body)};
      },
      [args](const json::value& result, std::ostream& out) {
        out << "Resizing " << args->instance_id << " to " << args->count
            << " units (Reconfiguring), order " << FieldText(result, "orderId") << ".\n";
      });
  cmd->add_option("INSTANCE", args->instance_id, "instance id (unit-...)")->required();
  cmd->add_option("--count", args->count, "the unit's size after the change (1..100000)")
      ->required();
  cmd->add_option("--client-token", args->client_token,
                  "idempotency token: a retry with the same token resizes nothing more");
}

}  // namespace

void AddUnitCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* unit = CommandRegistry::AddGroup(app, "unit", "compute units (tenant keys)");
  AddPurchase(unit, registry);
  AddList(unit, registry);
  AddDescribe(unit, registry);
  AddAutoRelease(unit, registry);
  AddResize(unit, registry);
}

}  // namespace cuplane::cli
