#include "api/service_handlers.h"

#include <limits>
#include <set>

#include "api/purchase_fields.h"
#include "core/services.h"

namespace cuplane::api {
namespace {

constexpr std::int64_t kMaxCount = 100000;  // SPEC §4: counts are capped at 100000
constexpr size_t kMaxPlacements = 100;      // units one CreateService may deploy onto
constexpr int kMaxPageSize = 100;           // DescribeServices: above reads as 100
constexpr const char* kDeactivateMessage =
    "the service is being deactivated; its compute units are not released and keep billing "
    "(release them with ReleaseComputeUnit)";

// A string field of at most `max_code_points` (and at least `min_code_points` when present).
Result<std::optional<std::string>> OptionalText(const JsonFields& fields, std::string_view key,
                                                size_t min_code_points, size_t max_code_points) {
  // A code point is at most 4 bytes: the byte bound refuses the hopeless before counting.
  CUPLANE_ASSIGN_OR_RETURN(auto text, fields.OptionalString(key, 4 * max_code_points));
  if (!text) return text;
  size_t length = CountCodePoints(*text);
  if (length < min_code_points || length > max_code_points) {
    return InvalidParameter(fields.Name(key) + " must be " + std::to_string(min_code_points) +
                            " to " + std::to_string(max_code_points) + " characters");
  }
  return text;
}

Result<std::vector<core::Placement>> DecodePlacements(const JsonFields& config) {
  std::string name = config.Name("deploymentComputeUnitList");
  const boost::json::value* list = config.object().if_contains("deploymentComputeUnitList");
  if (!list || list->is_null()) return InvalidParameter(name + " is required");
  if (!list->is_array() || list->get_array().empty() || list->get_array().size() > kMaxPlacements) {
    return InvalidParameter(name + " must be an array of 1 to " + std::to_string(kMaxPlacements) +
                            " units");
  }
  std::vector<core::Placement> placements;
  std::set<std::string> seen;
  const boost::json::array& items = list->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item_name = name + "[" + std::to_string(i) + "]";
    if (!items[i].is_object()) return InvalidParameter(item_name + " must be an object");
    JsonFields item(items[i].get_object(), item_name);
    core::Placement p;
    CUPLANE_ASSIGN_OR_RETURN(p.instance_id,
                             item.RequiredString("instanceId", kMaxIdentifierLength));
    CUPLANE_ASSIGN_OR_RETURN(p.replicas, item.RequiredInt("deploymentReplicasCount", 1, kMaxCount));
    if (!seen.insert(p.instance_id).second) {
      return InvalidParameter(item.Name("instanceId") + " " + p.instance_id + " is listed twice");
    }
    placements.push_back(std::move(p));
  }
  return placements;
}

// resourceConfig {region?, type (GPU-<n>-<k> or CPU-1-1), replicasCount} with body.billing.
Result<core::ServiceResources> DecodeResources(const CallContext& call, const JsonFields& body,
                                               const JsonFields& config) {
  core::ServiceResources resources;
  CUPLANE_ASSIGN_OR_RETURN(auto region, config.OptionalString("region", 16));
  if (region && !region->empty()) {
    if (!core::IsKnownRegion(*region)) {
      return InvalidParameter(config.Name("region") + " " + *region + " is not known");
    }
    resources.region = *region;
  }
  CUPLANE_ASSIGN_OR_RETURN(std::string type, config.RequiredString("type", 16));
  auto parsed = core::ParseServiceTypeName(type);
  if (!parsed) {
    return InvalidParameter(config.Name("type") +
                            " must be CPU-1-1 or GPU-<n>-<k> (n 1 to 6, k 1, 2, 4 or 8)");
  }
  resources.unit_type = parsed->unit_type;
  resources.units_per_replica = parsed->units_per_replica;
  CUPLANE_ASSIGN_OR_RETURN(resources.replicas, config.RequiredInt("replicasCount", 1, kMaxCount));
  CUPLANE_ASSIGN_OR_RETURN(resources.billing, DecodeBilling(call, body));
  return resources;
}

Result<core::NewService> DecodeNewService(const CallContext& call, const JsonFields& body) {
  core::NewService request;
  CUPLANE_ASSIGN_OR_RETURN(auto name, OptionalText(body, "name", 2, 20));
  if (!name) return InvalidParameter("name is required");
  request.name = *name;
  struct Opaque {
    std::string_view key;
    size_t max;
    std::string& target;
  };
  for (const Opaque& o :
       {Opaque{"description", 500, request.description},
        Opaque{"urlSuffix", 64, request.url_suffix}, Opaque{"modelSetId", 64, request.model_set_id},
        Opaque{"modelId", 64, request.model_id}}) {
    CUPLANE_ASSIGN_OR_RETURN(auto value, OptionalText(body, o.key, 0, o.max));
    o.target = value.value_or("");
  }
  CUPLANE_ASSIGN_OR_RETURN(auto deployment, body.OptionalObject("deploymentConfig"));
  CUPLANE_ASSIGN_OR_RETURN(auto resource, body.OptionalObject("resourceConfig"));
  if (resource && deployment) {
    return InvalidParameter("give either deploymentConfig or resourceConfig, not both");
  }
  if (resource) {
    CUPLANE_ASSIGN_OR_RETURN(request.resources, DecodeResources(call, body, *resource));
  } else if (deployment) {
    CUPLANE_ASSIGN_OR_RETURN(request.placements, DecodePlacements(*deployment));
    CUPLANE_ASSIGN_OR_RETURN(auto per_replica,
                             deployment->OptionalInt("replicaComputeUnitCount", 1, kMaxCount));
    request.units_per_replica = per_replica.value_or(1);
  } else {
    return InvalidParameter("deploymentConfig or resourceConfig is required");
  }
  CUPLANE_ASSIGN_OR_RETURN(request.client_token, DecodeClientToken(call, body));
  return request;
}

Result<std::string> DecodeServiceId(const JsonFields& body) {
  return body.RequiredString("serviceId", kMaxIdentifierLength);
}

boost::json::object EncodeService(const core::ServiceDetail& d) {
  const core::Service& s = d.service;
  return boost::json::object{
      {"serviceId", s.service_id},
      {"name", s.name},
      {"description", s.description},
      {"urlSuffix", s.url_suffix},
      {"modelSetId", s.model_set_id},
      {"modelId", s.model_id},
      {"runStatus", core::ToString(d.run_status)},
      {"chargeType", "ComputingUnit"},
      {"payType", d.pay_type},
      {"resourceConfig",
       {{"region", s.region},
        {"type", core::FormatServiceTypeName(s.type, s.units_per_replica)},
        {"replicasCount", d.replicas}}},
      {"creator", s.creator},
      {"createTime", FormatUtc(s.created_at)},
  };
}

boost::json::array EncodeDeployments(const core::ServiceDetail& d) {
  boost::json::array deployments;
  for (const core::Deployment& dep : d.deployments) {
    boost::json::object item{{"instanceId", dep.instance_id},
                             {"deploymentReplicasCount", dep.replicas},
                             {"deployedComputingUnits", dep.deployed_units}};
    if (dep.scale_status != core::ScaleStatus::kNone) {
      item["scaleStatus"] = core::ToString(dep.scale_status);
    }
    deployments.push_back(std::move(item));
  }
  return deployments;
}

// runStatus: a list of the seven values (a single string is read as a list of one).
Result<std::vector<core::RunStatus>> DecodeRunStatuses(const JsonFields& body) {
  std::vector<std::string> names;
  const boost::json::value* v = body.object().if_contains("runStatus");
  if (v && v->is_string()) {
    names.emplace_back(v->get_string());
  } else {
    CUPLANE_ASSIGN_OR_RETURN(names, body.OptionalStringArray("runStatus", 7, 32));
  }
  std::vector<core::RunStatus> statuses;
  for (size_t i = 0; i < names.size(); ++i) {
    auto status = core::ParseRunStatus(names[i]);
    if (!status) {
      return InvalidParameter("runStatus[" + std::to_string(i) +
                              "] must be New, Deploying, Serving, Failed, Deactivating, Stopped "
                              "or DeactivationFailed");
    }
    statuses.push_back(*status);
  }
  return statuses;
}

Result<core::ServiceQuery> DecodeServiceQuery(const JsonFields& body) {
  core::ServiceQuery query;
  CUPLANE_ASSIGN_OR_RETURN(auto marker, body.OptionalString("marker", 64));
  query.marker = marker.value_or("");
  CUPLANE_ASSIGN_OR_RETURN(
      auto max_keys, body.OptionalInt("maxKeys", 1, std::numeric_limits<std::int64_t>::max()));
  query.max_keys = static_cast<int>(std::min<std::int64_t>(max_keys.value_or(10), kMaxPageSize));
  CUPLANE_ASSIGN_OR_RETURN(auto reverse, body.OptionalBool("pageReverse"));
  query.reverse = reverse.value_or(false);
  CUPLANE_ASSIGN_OR_RETURN(auto name, OptionalText(body, "name", 0, 64));
  query.name_contains = name.value_or("");
  CUPLANE_ASSIGN_OR_RETURN(query.run_statuses, DecodeRunStatuses(body));
  return query;
}

Result<boost::json::value> TrueOrError(const Status& status) {
  if (!status.ok()) return status.error();
  return boost::json::value(true);
}

}  // namespace

Result<boost::json::value> HandleCreateService(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(core::NewService request, DecodeNewService(call, body));
  auto service_id = call.server.store.Write<std::string>([&](store::Transaction& tx) {
    return core::CreateService(tx, call.principal, request, call.server.lifecycle, call.now);
  });
  if (!service_id.ok()) return service_id.error();
  return boost::json::value(boost::json::object{{"serviceId", *service_id}});
}

Result<boost::json::value> HandleDescribeService(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id, DecodeServiceId(body));
  auto detail = call.server.store.Read<core::ServiceDetail>([&](store::Transaction& tx) {
    return core::DescribeService(tx, call.principal, service_id);
  });
  if (!detail.ok()) return detail.error();
  boost::json::object service = EncodeService(*detail);
  service["deployments"] = EncodeDeployments(*detail);
  return boost::json::value(std::move(service));
}

Result<boost::json::value> HandleDescribeServices(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(core::ServiceQuery query, DecodeServiceQuery(body));
  auto page = call.server.store.Read<core::ServicePage>(
      [&](store::Transaction& tx) { return core::DescribeServices(tx, call.principal, query); });
  if (!page.ok()) return page.error();
  boost::json::array services;
  for (const core::ServiceDetail& d : page->services) services.push_back(EncodeService(d));
  boost::json::object result{{"services", std::move(services)},
                             {"marker", query.marker},
                             {"maxKeys", query.max_keys},
                             {"isTruncated", page->truncated}};
  if (page->truncated) result["nextMarker"] = page->next_marker;
  return boost::json::value(std::move(result));
}

Result<boost::json::value> HandleScaleService(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id, DecodeServiceId(body));
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(std::int64_t replicas,
                           body.RequiredInt("deploymentReplicasCount", 0, kMaxCount));
  return TrueOrError(call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::ScaleService(tx, call.principal, service_id, instance_id, replicas,
                              call.server.lifecycle, call.now);
  }));
}

Result<boost::json::value> HandleDeactivateService(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id, DecodeServiceId(body));
  auto done = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::DeactivateService(tx, call.principal, service_id, call.server.lifecycle, call.now);
  });
  if (!done.ok()) return done.error();
  return boost::json::value(
      boost::json::object{{"operation", true}, {"message", kDeactivateMessage}});
}

}  // namespace cuplane::api
