#include "api/compute_unit_handlers.h"

#include "common/digest.h"
#include "core/compute_units.h"

namespace cuplane::api {
namespace {

using core::PaymentTiming;

constexpr size_t kMaxClientTokenLength = 64;
constexpr std::int64_t kMaxReplicas = 100000;

std::string TimeOrEmpty(const std::optional<UnixSeconds>& t) {
  return t ? FormatUtc(*t) : std::string();
}

Result<PaymentTiming> DecodePaymentTiming(const JsonFields& fields, std::string_view key,
                                          const std::string& value) {
  auto timing = core::ParsePaymentTiming(value);
  if (!timing) return InvalidParameter(fields.Name(key) + " must be Prepaid or Postpaid");
  return *timing;
}

// clientToken from the query or the body (SPEC §4.1): at most 64 printable ASCII characters.
Result<std::string> DecodeClientToken(const CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(auto from_body, body.OptionalString("clientToken", 1024));
  const std::string* from_query = call.QueryParam("clientToken");
  if (from_body && from_query && *from_body != *from_query) {
    return InvalidParameter("clientToken differs between the query and the body");
  }
  std::string token = from_query ? *from_query : from_body.value_or("");
  if (token.size() > kMaxClientTokenLength) {
    return InvalidParameter("clientToken must be at most 64 characters");
  }
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return InvalidParameter("clientToken must be printable ASCII");
  }
  return token;
}

Status DecodeReservation(const JsonFields& billing, core::PurchaseOrder& order) {
  CUPLANE_ASSIGN_OR_RETURN(JsonFields reservation, billing.RequiredObject("reservation"));
  CUPLANE_ASSIGN_OR_RETURN(std::string unit, reservation.RequiredString("reservationTimeUnit", 16));
  if (!EqualsIgnoreCase(unit, "Month")) {
    return InvalidParameter(reservation.Name("reservationTimeUnit") + " must be Month");
  }
  CUPLANE_ASSIGN_OR_RETURN(order.reservation_months,
                           reservation.RequiredInt("reservationLength", 1, 12));
  CUPLANE_ASSIGN_OR_RETURN(auto auto_renew, reservation.OptionalBool("autoRenew"));
  order.auto_renew = auto_renew.value_or(false);
  CUPLANE_ASSIGN_OR_RETURN(auto renew_unit, reservation.OptionalString("autoRenewTimeUnit", 16));
  if (renew_unit && !renew_unit->empty() && !EqualsIgnoreCase(*renew_unit, "month")) {
    return InvalidParameter(reservation.Name("autoRenewTimeUnit") + " must be month");
  }
  CUPLANE_ASSIGN_OR_RETURN(auto renew_time, reservation.OptionalInt("autoRenewTime", 1, 6));
  order.auto_renew_months = static_cast<int>(renew_time.value_or(1));
  return OkStatus();
}

Result<core::PurchaseOrder> DecodePurchase(const CallContext& call, const JsonFields& body) {
  core::PurchaseOrder order;
  CUPLANE_ASSIGN_OR_RETURN(order.service_id,
                           body.RequiredString("serviceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(order.replicas_count,
                           body.RequiredInt("replicasCount", 1, kMaxReplicas));
  CUPLANE_ASSIGN_OR_RETURN(JsonFields billing, body.RequiredObject("billing"));
  CUPLANE_ASSIGN_OR_RETURN(std::string timing, billing.RequiredString("paymentTiming", 16));
  CUPLANE_ASSIGN_OR_RETURN(order.payment_timing,
                           DecodePaymentTiming(billing, "paymentTiming", timing));
  if (order.payment_timing == PaymentTiming::kPrepaid) {
    CUPLANE_TRY(DecodeReservation(billing, order));
  }  // Postpaid: reservation is ignored (SPEC §4.1)
  CUPLANE_ASSIGN_OR_RETURN(order.client_token, DecodeClientToken(call, body));

  // Everything that decides what is bought; a clientToken reused with another value of any
  // of these is a mismatch.
  order.fingerprint =
      Sha256Hex(order.service_id + "\n" + std::to_string(order.replicas_count) + "\n" + timing +
                "\n" + std::to_string(order.reservation_months) + "\n" +
                (order.auto_renew ? "1" : "0") + "\n" + std::to_string(order.auto_renew_months));
  if (!order.client_token.empty()) order.client_token = "token:" + order.client_token;
  // The Node.js SDK retries by resending the very same signed request: remember that too.
  order.replay_key = "replay:" + Sha256Hex(call.authorization + "\n" + call.body);
  return order;
}

boost::json::object EncodeListItem(const core::Instance& i) {
  bool started = i.start_time.has_value();
  return boost::json::object{
      {"instanceId", i.instance_id},
      {"paymentTiming", core::ToString(i.payment_timing)},
      {"replicasCount", i.replicas_count},
      {"status", core::ListStatus(i.status)},
      {"startTime", started ? FormatUtc(*i.start_time) : ""},
      {"expiredTime",
       started && i.payment_timing == PaymentTiming::kPrepaid ? TimeOrEmpty(i.expired_time) : ""},
  };
}

boost::json::object EncodeInstanceDetail(const core::ComputeUnitDetail& d) {
  const core::Instance& i = d.instance;
  boost::json::object unit{
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
  };
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

boost::json::array EncodeServiceUsage(const core::ComputeUnitDetail& d) {
  boost::json::array services;
  for (const core::ServiceUsage& usage : d.services) {
    boost::json::object item{
        {"serviceName", usage.service.name}, {"serviceId", usage.service.service_id},
        {"runStatus", usage.run_status},     {"deployedComputingUnits", usage.deployed_units},
        {"creator", usage.service.creator},
    };
    // Only while scaling or after a failed scale (SPEC §4.4).
    if (usage.scale_status != core::ScaleStatus::kNone) {
      item["scaleStatus"] = core::ToString(usage.scale_status);
    }
    services.push_back(std::move(item));
  }
  return services;
}

// releaseTime: RFC 3339, or "YYYY-MM-DD HH:MM:SS" in the server's local offset; absent, null
// or "" clears the schedule.
Result<std::optional<UnixSeconds>> DecodeReleaseTime(const CallContext& call,
                                                     const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(auto text, body.OptionalString("releaseTime", 64));
  if (!text || text->empty()) return std::optional<UnixSeconds>();
  auto t = ParseRfc3339(*text);
  if (!t) t = ParsePlainLocalTime(*text, call.server.local_offset_seconds);
  if (!t) {
    return InvalidParameter(
        "releaseTime must be RFC 3339 (2030-01-25T12:30:30+08:00) or "
        "\"YYYY-MM-DD HH:MM:SS\"");
  }
  return std::optional<UnixSeconds>(*t);
}

}  // namespace

Result<boost::json::value> HandlePurchaseComputeUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(core::PurchaseOrder order, DecodePurchase(call, body));
  auto instance_id = call.server.store.Write<std::string>([&](store::Transaction& tx) {
    return core::PurchaseComputeUnit(tx, call.principal, order, call.server.lifecycle, call.now);
  });
  if (!instance_id.ok()) return instance_id.error();
  return boost::json::value(boost::json::object{{"instanceId", *instance_id}});
}

Result<boost::json::value> HandleDescribeComputeUnits(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string service_id,
                           body.RequiredString("serviceId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto timing_text, body.OptionalString("paymentTiming", 16));
  std::optional<PaymentTiming> timing;
  if (timing_text && !timing_text->empty()) {
    CUPLANE_ASSIGN_OR_RETURN(timing, DecodePaymentTiming(body, "paymentTiming", *timing_text));
  }
  auto instances = call.server.store.Read<std::vector<core::Instance>>([&](store::Transaction& tx) {
    return core::ListComputeUnits(tx, call.principal, service_id, timing, call.server.lifecycle,
                                  call.now);
  });
  if (!instances.ok()) return instances.error();
  boost::json::array items;
  for (const core::Instance& i : *instances) items.push_back(EncodeListItem(i));
  return boost::json::value(boost::json::object{{"instances", std::move(items)}});
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

Result<boost::json::value> HandleDescribeComputeUnit(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string instance_id,
                           body.RequiredString("instanceId", kMaxIdentifierLength));
  auto detail = call.server.store.Read<core::ComputeUnitDetail>([&](store::Transaction& tx) {
    return core::DescribeComputeUnit(tx, call.principal, instance_id);
  });
  if (!detail.ok()) return detail.error();
  boost::json::array services = EncodeServiceUsage(*detail);
  return boost::json::value(boost::json::object{
      {"computeUnitInstance", EncodeInstanceDetail(*detail)},
      {"serviceUsageList", services},
      {"serviceInfoList", services},  // the seed's name for the same list (SPEC §4.4)
  });
}

}  // namespace cuplane::api
