#include "cli/tenant_service_commands.h"

#include <cstdint>
#include <memory>

#include "cli/result_text.h"
#include "cli/table.h"

namespace cuplane::cli {
namespace {

namespace json = boost::json;

constexpr const char* kService = "/v2/service";

// What a command's arguments parse into (one per command, shared with its lambdas).
struct ServiceArgs {
  std::string service_id;
  std::string instance_id;
  std::string name;
  std::string description;
  std::string model_id;
  std::vector<std::string> units;  // INSTANCE:REPLICAS
  std::int64_t units_per_replica = 1;
  std::int64_t replicas = 0;
  std::int64_t max_keys = 0;
  std::string marker;
  bool reverse = false;
  std::vector<std::string> statuses;
};

// "unit-x:3" -> {instanceId, deploymentReplicasCount}; CLI11 has checked the shape.
json::object Placement(const std::string& spec) {
  auto colon = spec.rfind(':');
  return {{"instanceId", spec.substr(0, colon)},
          {"deploymentReplicasCount", std::stoll(spec.substr(colon + 1))}};
}

const CLI::Validator kPlacement(
    [](std::string& spec) -> std::string {
      auto colon = spec.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size() ||
          spec.size() - colon > 7 ||
          spec.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
        return "must be INSTANCE:REPLICAS, e.g. unit-abc:2";
      }
      return "";
    },
    "INSTANCE:REPLICAS");

void AddCreate(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "create", "create a service with replicas on your Running units",
      [args] {
        json::array list;
        for (const std::string& spec : args->units) list.push_back(Placement(spec));
        json::object body{{"name", args->name},
                          {"deploymentConfig",
                           {{"deploymentComputeUnitList", std::move(list)},
                            {"replicaComputeUnitCount", args->units_per_replica}}}};
        if (!args->description.empty()) body["description"] = args->description;
        if (!args->model_id.empty()) body["modelId"] = args->model_id;
        return ApiRequest{kService, "CreateService", std::move(body)};
      },
      [](const json::value& result, std::ostream& out) {
        out << "Created service " << FieldText(result, "serviceId") << " (Deploying).\n";
      });
  cmd->add_option("--name", args->name, "service name (2..20 characters)")->required();
  cmd->add_option("--unit", args->units, "INSTANCE:REPLICAS, once per unit")
      ->required()
      ->check(kPlacement);
  cmd->add_option("--units-per-replica", args->units_per_replica,
                  "compute units each replica takes (default 1)");
  cmd->add_option("--description", args->description, "free text, stored and shown");
  cmd->add_option("--model-id", args->model_id, "the model it serves, stored and shown");
}

void PrintService(const json::value& s, std::ostream& out) {
  const json::value& config = Field(s, "resourceConfig");
  PrintFields(out, {{"Service", FieldText(s, "serviceId")},
                    {"Name", FieldText(s, "name")},
                    {"Run status", FieldText(s, "runStatus")},
                    {"Region", FieldText(config, "region")},
                    {"Type", FieldText(config, "type")},
                    {"Replicas", FieldText(config, "replicasCount")},
                    {"Pay type", FieldText(s, "payType")},
                    {"Description", FieldText(s, "description")},
                    {"Creator", FieldText(s, "creator")},
                    {"Created", FieldText(s, "createTime")}});
  out << "\nDeployments:\n";
  Table table({"INSTANCE", "REPLICAS", "UNITS HELD", "SCALE STATUS"});
  for (const json::value& d : ArrayField(s, "deployments")) {
    table.AddRow({FieldText(d, "instanceId"), FieldText(d, "deploymentReplicasCount"),
                  FieldText(d, "deployedComputingUnits"), FieldText(d, "scaleStatus")});
  }
  table.Print(out);
}

void AddDescribe(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "describe", "show a service and its deployments",
      [args] {
        return ApiRequest{kService, "DescribeService", {{"serviceId", args->service_id}}};
      },
      PrintService);
  cmd->add_option("SERVICE", args->service_id, "service id")->required();
}

void PrintServices(const json::value& result, std::ostream& out) {
  Table table({"SERVICE", "NAME", "RUN STATUS", "TYPE", "REPLICAS", "PAY TYPE", "CREATED"});
  for (const json::value& s : ArrayField(result, "services")) {
    const json::value& config = Field(s, "resourceConfig");
    table.AddRow({FieldText(s, "serviceId"), FieldText(s, "name"), FieldText(s, "runStatus"),
                  FieldText(config, "type"), FieldText(config, "replicasCount"),
                  FieldText(s, "payType"), FieldText(s, "createTime")});
  }
  table.Print(out);
  if (Field(result, "isTruncated").is_bool() && Field(result, "isTruncated").get_bool()) {
    out << "More: --marker " << FieldText(result, "nextMarker") << "\n";
  }
}

void AddList(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "list", "list your services, oldest first",
      [args] {
        json::object body;
        if (args->max_keys > 0) body["maxKeys"] = args->max_keys;
        if (!args->marker.empty()) body["marker"] = args->marker;
        if (args->reverse) body["pageReverse"] = true;
        if (!args->name.empty()) body["name"] = args->name;
        if (!args->statuses.empty()) {
          json::array statuses;
          for (const std::string& s : args->statuses) statuses.emplace_back(s);
          body["runStatus"] = std::move(statuses);
        }
        return ApiRequest{kService, "DescribeServices", std::move(body)};
      },
      PrintServices);
  cmd->add_option("--max-keys", args->max_keys, "services per page (default 10, at most 100)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--marker", args->marker, "continue after a page (its nextMarker)");
  cmd->add_flag("--reverse", args->reverse, "newest first");
  cmd->add_option("--name", args->name, "only names containing this");
  cmd->add_option("--status", args->statuses, "only this run status (repeatable)")
      ->check(CLI::IsMember({"New", "Deploying", "Serving", "Failed", "Deactivating", "Stopped",
                             "DeactivationFailed"}));
}

void AddScale(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "scale", "set a service's replicas on one unit (0 removes them)",
      [args] {
        return ApiRequest{kService,
                          "ScaleService",
                          {{"serviceId", args->service_id},
                           {"instanceId", args->instance_id},
                           {"deploymentReplicasCount", args->replicas}}};
      },
      [args](const json::value&, std::ostream& out) {
        out << "Scaling " << args->service_id << " on " << args->instance_id << " to "
            << args->replicas << " replica(s).\n";
      });
  cmd->add_option("SERVICE", args->service_id, "service id")->required();
  cmd->add_option("INSTANCE", args->instance_id, "instance id (unit-...)")->required();
  cmd->add_option("REPLICAS", args->replicas, "replicas on that unit")
      ->required()
      ->check(CLI::Range(0, 100000));
}

void AddDeactivate(CLI::App* group, CommandRegistry& registry) {
  auto args = std::make_shared<ServiceArgs>();
  CLI::App* cmd = registry.Add(
      group, "deactivate", "stop a service (its units stay and keep billing)",
      [args] {
        return ApiRequest{kService, "DeactivateService", {{"serviceId", args->service_id}}};
      },
      [args](const json::value& result, std::ostream& out) {
        out << "Deactivating " << args->service_id << ": " << FieldText(result, "message") << ".\n";
      });
  cmd->add_option("SERVICE", args->service_id, "service id")->required();
}

}  // namespace

void AddTenantServiceCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* svc = CommandRegistry::AddGroup(
      app, "svc", "your services on compute units (tenant keys; operators: `service`)");
  AddCreate(svc, registry);
  AddDescribe(svc, registry);
  AddList(svc, registry);
  AddScale(svc, registry);
  AddDeactivate(svc, registry);
}

}  // namespace cuplane::cli
