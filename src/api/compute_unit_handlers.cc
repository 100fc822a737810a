#include "api/compute_unit_handlers.h"

#include "api/purchase_fields.h"
#include "common/ascii.h"
#include "core/auto_renew_rules.h"
#include "core/compute_units.h"
#include "core/resizes.h"

namespace cuplane::api {
namespace {

// The result of the actions that open an order on a unit (the /v2/computeunit purchase, a
// resize): {instanceId, orderId}.
boost::json::value OrderResultJson(const core::PurchaseResult& result) {
  return boost::json::object{{"instanceId", result.instance_id}, {"orderId", result.order_id}};
}

using core::PaymentTiming;

constexpr std::int64_t kMaxReplicas = 100000;

std::string TimeOrEmpty(const std::optional<UnixSeconds>& t) {
  return t ? FormatUtc(*t) : std::string();
}

Result<core::PurchaseOrder> DecodePurchase(const CallContext& call, const JsonFields& body) {
  core::PurchaseOrder order;
  CUPLANE_ASSIGN_OR_RETURN(order.service_id,
                           body.RequiredString("serviceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(order.replicas_count,
                           body.RequiredInt("replicasCount", 1, kMaxReplicas));
  CUPLANE_ASSIGN_OR_RETURN(order.billing, DecodeBilling(call, body));
  CUPLANE_ASSIGN_OR_RETURN(order.client_token, DecodeClientToken(call, body));
  return order;
}

// The element of a service's list (SPEC §4.2), also the service-scoped detail (§4.8).
boost::json::object EncodeServiceUnit(const core::ServiceUnitView& unit) {
  const core::Instance& i = unit.instance;
  bool started = i.start_time.has_value();
  return boost::json::object{
      {"instanceId", i.instance_id},
      {"paymentTiming", core::ToString(i.payment_timing)},
      {"replicasCount", unit.replicas},
      {"status", core::ListStatus(i.status)},
      {"startTime", started ? FormatUtc(*i.start_time) : ""},
      {"expiredTime",
       started && i.payment_timing == PaymentTiming::kPrepaid ? TimeOrEmpty(i.expired_time) : ""},
  };
}

boost::json::object EncodeInstanceDetail(const core::ComputeUnitDetail& d,
                                         boost::json::storage_ptr sp = {}) {
  const core::Instance& i = d.instance;
  boost::json::object unit({
      {"instanceId", i.instance_id},
      {"region", i.region},
      {"status", core::ToString(i.status)},
      {"type", i.type},
      {"totalComputeUnits", i.total_units},
      {"usedComputeUnits", d.used_units},
      {"paymentTiming", core::ToString(i.payment_timing)},
      {"startTime", TimeOrEmpty(i.start_time)},
      {"expiredTime", TimeOrEmpty(i.expired_time)},
      {"creator", i.creator},
  }, std::move(sp));
  if (i.payment_timing == PaymentTiming::kPostpaid && i.release_time) {
    unit["releaseTime"] = FormatUtc(*i.release_time);
  }
  if (i.payment_timing == PaymentTiming::kPrepaid) {
    unit["reservationLength"] = i.reservation_months;
    unit["reservationTimeUnit"] = "MONTH";
    if (i.auto_renew) {
      unit["autoRenew"] =
          boost::json::object{{"renewTime", i.auto_renew_months}, {"renewTimeUnit", "MONTH"}};
    }
  }
  return unit;
}

// A page marker: "<created_at>.<seq>" of the last unit shown. Opaque to clients; it stays valid
// while units are added, since newer units sort before it.
std::string EncodeUnitMarker(const store::UnitCursor& c) {
  return std::to_string(c.created_at) + "." + std::to_string(c.seq);
}

Result<std::optional<store::UnitCursor>> DecodeUnitMarker(const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(auto text, body.OptionalString("marker", 64));
  if (!text || text->empty()) return std::optional<store::UnitCursor>();
  auto bad = [&] { return InvalidParameter(body.Name("marker") + " must be a nextMarker value"); };
  auto dot = text->find('.');
  if (dot == std::string::npos) return bad();
  store::UnitCursor cursor;
  try {
    size_t used_created = 0, used_seq = 0;
    std::string created = text->substr(0, dot), seq = text->substr(dot + 1);
    cursor.created_at = std::stoll(created, &used_created);
    cursor.seq = std::stoll(seq, &used_seq);
    if (used_created != created.size() || used_seq != seq.size() || cursor.seq <= 0) return bad();
  } catch (const std::exception&) {
    return bad();
  }
  return std::optional<store::UnitCursor>(cursor);
}

// An optional region/type filter: empty when absent, InvalidParameter when not a known value.
Result<std::string> DecodePoolFilter(const JsonFields& body, std::string_view key,
                                     bool (*known)(std::string_view)) {
  CUPLANE_ASSIGN_OR_RETURN(auto value, body.OptionalString(key, 16));
  if (!value || value->empty()) return std::string();
  if (!known(*value)) return InvalidParameter(body.Name(key) + " " + *value + " is not known");
  return *value;
}

boost::json::array EncodeServiceUsage(const core::ComputeUnitDetail& d,
                                      boost::json::storage_ptr sp = {}) {
  boost::json::array services(sp);
  for (const core::ServiceUsage& usage : d.services) {
    boost::json::object item({
        {"serviceName", usage.service.name}, {"serviceId", usage.service.service_id},
        {"runStatus", usage.run_status},     {"deployedComputingUnits", usage.deployed_units},
        {"creator", usage.service.creator},
    }, sp);
    // Only while scaling or after a failed scale (SPEC §4.4).
    if (usage.scale_status != core::ScaleStatus::kNone) {
      item["scaleStatus"] = core::ToString(usage.scale_status);
    }
    services.push_back(std::move(item));
  }
  return services;
}

}  // namespace

Result<boost::json::value> HandlePurchaseComputeUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(core::PurchaseOrder order, DecodePurchase(call, body));
  auto bought = call.server.store.Write<core::PurchaseResult>([&](store::Transaction& tx) {
    return core::PurchaseComputeUnit(tx, call.principal, order, call.server.lifecycle, call.now);
  });
  if (!bought.ok()) return bought.error();
  return boost::json::value(boost::json::object{{"instanceId", bought->instance_id}});
}

Result<boost::json::value> HandleDescribeComputeUnits(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id,
                           body.RequiredString("serviceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto timing_text, body.OptionalString("paymentTiming", 16));
  std::optional<PaymentTiming> timing;
  if (timing_text && !timing_text->empty()) {
    CUPLANE_ASSIGN_OR_RETURN(timing, DecodePaymentTiming(body, "paymentTiming", *timing_text));
  }
  auto units = call.server.store.Read<std::vector<core::ServiceUnitView>>(
      [&](store::Transaction& tx) {
        return core::ListComputeUnits(tx, call.principal, service_id, timing,
                                      call.server.lifecycle, call.now);
      });
  if (!units.ok()) return units.error();
  boost::json::array items;
  for (const core::ServiceUnitView& unit : *units) items.push_back(EncodeServiceUnit(unit));
  return boost::json::value(boost::json::object{{"instances", std::move(items)}});
}

Result<boost::json::value> HandleDescribeServiceUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id,
                           body.RequiredString("serviceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  auto unit = call.server.store.Read<core::ServiceUnitView>([&](store::Transaction& tx) {
    return core::DescribeServiceUnit(tx, call.principal, service_id, instance_id,
                                     call.server.lifecycle, call.now);
  });
  if (!unit.ok()) return unit.error();
  return boost::json::value(boost::json::object{{"instance", EncodeServiceUnit(*unit)}});
}

Result<boost::json::value> HandleAutoReleaseComputeUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto release_time, DecodeReleaseTime(call, body));
  auto status = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::SetAutoRelease(tx, call.principal, instance_id, release_time, call.now);
  });
  if (!status.ok()) return status.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandlePurchaseUnits(CallContext& call, const JsonFields& body) {
  core::UnitPurchaseOrder order;
  CUPLANE_ASSIGN_OR_RETURN(order.count, body.RequiredInt("computeUnitCount", 1, kMaxReplicas));
  CUPLANE_ASSIGN_OR_RETURN(JsonFields config, body.RequiredObject("computeUnitConfig"));
  CUPLANE_ASSIGN_OR_RETURN(order.type, config.RequiredString("type", 16));
  if (!core::IsKnownUnitType(order.type)) {
    return InvalidParameter(config.Name("type") + " " + order.type + " is not known");
  }
  CUPLANE_ASSIGN_OR_RETURN(order.region, DecodePoolFilter(config, "region", core::IsKnownRegion));
  CUPLANE_ASSIGN_OR_RETURN(order.billing, DecodeBilling(call, body));
  CUPLANE_ASSIGN_OR_RETURN(order.client_token, DecodeClientToken(call, body));
  auto bought = call.server.store.Write<core::PurchaseResult>([&](store::Transaction& tx) {
    return core::PurchaseUnits(tx, call.principal, order, call.server.lifecycle, call.now);
  });
  if (!bought.ok()) return bought.error();
  return OrderResultJson(*bought);
}

Result<boost::json::value> HandleDescribeAccountUnits(CallContext& call, const JsonFields& body) {
  store::UnitQuery query;
  CUPLANE_ASSIGN_OR_RETURN(auto timing_text, body.OptionalString("paymentTiming", 16));
  if (timing_text && !timing_text->empty()) {
    CUPLANE_ASSIGN_OR_RETURN(query.payment_timing,
                             DecodePaymentTiming(body, "paymentTiming", *timing_text));
  }
  CUPLANE_ASSIGN_OR_RETURN(query.region, DecodePoolFilter(body, "region", core::IsKnownRegion));
  CUPLANE_ASSIGN_OR_RETURN(query.type, DecodePoolFilter(body, "type", core::IsKnownUnitType));
  CUPLANE_ASSIGN_OR_RETURN(query.after, DecodeUnitMarker(body));
  CUPLANE_ASSIGN_OR_RETURN(auto max_keys, body.OptionalInt("maxKeys", 1, 1000));
  query.limit = static_cast<int>(max_keys.value_or(0));
  const bool paged = max_keys.has_value() || query.after.has_value();
  auto page = call.server.store.Read<core::UnitPage>(
      [&](store::Transaction& tx) -> Result<core::UnitPage> {
        return core::ListAccountUnits(tx, call.principal, query, call.server.lifecycle, call.now);
      });
  if (!page.ok()) return page.error();
  boost::json::array units;
  for (const core::ComputeUnitDetail& d : page->units) units.push_back(EncodeInstanceDetail(d));
  boost::json::object result{{"computeUnitInstanceList", std::move(units)}};
  if (paged) result["isTruncated"] = page->next.has_value();
  if (page->next) result["nextMarker"] = EncodeUnitMarker(*page->next);
  return boost::json::value(std::move(result));
}

namespace {

Result<boost::json::value> Release(CallContext& call, const std::string& instance_id,
                                   const std::string& service_id) {
  auto released = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::ReleaseComputeUnit(tx, call.principal, instance_id, service_id,
                                    call.server.lifecycle, call.now);
  });
  if (!released.ok()) return released.error();
  return boost::json::value(true);
}

}  // namespace

Result<boost::json::value> HandleReleaseUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  return Release(call, instance_id, "");
}

Result<boost::json::value> HandleReleaseServiceUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id,
                           body.RequiredString("serviceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  return Release(call, instance_id, service_id);
}

Result<boost::json::value> HandleResizeComputeUnit(CallContext& call, const JsonFields& body) {
  core::ResizeOrder order;
  CUPLANE_ASSIGN_OR_RETURN(order.instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(order.count, body.RequiredInt("count", 1, kMaxReplicas));
  CUPLANE_ASSIGN_OR_RETURN(order.client_token, DecodeClientToken(call, body));
  auto resized = call.server.store.Write<core::PurchaseResult>([&](store::Transaction& tx) {
    return core::ResizeComputeUnit(tx, call.principal, order, call.server.lifecycle, call.now);
  });
  if (!resized.ok()) return resized.error();
  return OrderResultJson(*resized);
}

Result<boost::json::value> HandleCreateAutoRenewRules(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto instance_type, body.OptionalString("instanceType", 32));
  bool tpm = instance_type && EqualsIgnoreCase(*instance_type, "TPM");
  if (instance_type && !instance_type->empty() && !tpm &&
      !EqualsIgnoreCase(*instance_type, "ComputingUnit")) {
    return InvalidParameter("instanceType must be ComputingUnit");
  }
  CUPLANE_ASSIGN_OR_RETURN(auto unit, body.OptionalString("autoRenewTimeUnit", 16));
  if (unit && !unit->empty() && !EqualsIgnoreCase(*unit, "Month")) {
    return InvalidParameter("autoRenewTimeUnit must be Month");
  }
  CUPLANE_ASSIGN_OR_RETURN(auto months, body.OptionalInt("autoRenewTime", 1, 6));
  if (tpm) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "cuplane manages compute units only; it has no TPM quota to renew");
  }
  auto set = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::CreateAutoRenewRule(tx, call.principal, instance_id,
                                     static_cast<int>(months.value_or(1)));
  });
  if (!set.ok()) return set.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleDeleteAutoRenewRules(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  auto deleted = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::DeleteAutoRenewRule(tx, call.principal, instance_id);
  });
  if (!deleted.ok()) return deleted.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleDescribeUnits(CallContext& call, const JsonFields& body) {
  store::UnitQuery query;
  CUPLANE_ASSIGN_OR_RETURN(auto account_id, body.OptionalString("accountId", kMaxIdentifierLength));
  query.account_id = account_id.value_or("");
  CUPLANE_ASSIGN_OR_RETURN(query.region, DecodePoolFilter(body, "region", core::IsKnownRegion));
  CUPLANE_ASSIGN_OR_RETURN(query.type, DecodePoolFilter(body, "type", core::IsKnownUnitType));
  CUPLANE_ASSIGN_OR_RETURN(auto status_text, body.OptionalString("status", 32));
  if (status_text && !status_text->empty()) {
    query.status = core::ParseInstanceStatus(*status_text);
    if (!query.status) return InvalidParameter("status " + *status_text + " is not a unit status");
  }
  CUPLANE_ASSIGN_OR_RETURN(query.after, DecodeUnitMarker(body));
  CUPLANE_ASSIGN_OR_RETURN(auto max_keys, body.OptionalInt("maxKeys", 1, 1000));
  query.limit = static_cast<int>(max_keys.value_or(100));
  auto page = call.server.store.Read<core::UnitPage>(
      [&](store::Transaction& tx) -> Result<core::UnitPage> {
        return core::ListUnitPage(tx, query);
      });
  if (!page.ok()) return page.error();
  boost::json::array units;
  for (const core::ComputeUnitDetail& d : page->units) {
    boost::json::object unit = EncodeInstanceDetail(d);
    unit["accountId"] = d.instance.account_id;
    units.push_back(std::move(unit));
  }
  boost::json::object result{{"units", std::move(units)}, {"isTruncated", page->next.has_value()}};
  if (page->next) result["nextMarker"] = EncodeUnitMarker(*page->next);
  return boost::json::value(std::move(result));
}

Result<boost::json::value> HandleDescribeComputeUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  auto detail = call.server.store.Read<core::ComputeUnitDetail>([&](store::Transaction& tx) {
    return core::DescribeComputeUnit(tx, call.principal, instance_id);
  });
  if (!detail.ok()) return detail.error();
  boost::json::array services = EncodeServiceUsage(*detail, call.json);
  return boost::json::value(boost::json::object({
      {"computeUnitInstance", EncodeInstanceDetail(*detail, call.json)},
      // The same list under the seed's name too (SPEC §4.4): the elements are taken in order,
      // so the first copies it and the second can move it.
      {"serviceUsageList", services},
      {"serviceInfoList", std::move(services)},
  }, call.json));
}

}  // namespace cuplane::api
