#include "api/purchase_fields.h"

#include "common/ascii.h"

namespace cuplane::api {
namespace {

constexpr size_t kMaxClientTokenLength = 64;

Status DecodeReservation(const JsonFields& billing, core::BillingTerms& terms) {
  CUPLANE_ASSIGN_OR_RETURN(JsonFields reservation, billing.RequiredObject("reservation"));
  CUPLANE_ASSIGN_OR_RETURN(std::string unit, reservation.RequiredString("reservationTimeUnit", 16));
  if (!EqualsIgnoreCase(unit, "Month")) {
    return InvalidParameter(reservation.Name("reservationTimeUnit") + " must be Month");
  }
  CUPLANE_ASSIGN_OR_RETURN(terms.reservation_months,
                           reservation.RequiredInt("reservationLength", 1, 12));
  CUPLANE_ASSIGN_OR_RETURN(auto auto_renew, reservation.OptionalBool("autoRenew"));
  terms.auto_renew = auto_renew.value_or(false);
  CUPLANE_ASSIGN_OR_RETURN(auto renew_unit, reservation.OptionalString("autoRenewTimeUnit", 16));
  if (renew_unit && !renew_unit->empty() && !EqualsIgnoreCase(*renew_unit, "Month")) {
    return InvalidParameter(reservation.Name("autoRenewTimeUnit") + " must be Month");
  }
  CUPLANE_ASSIGN_OR_RETURN(auto renew_time, reservation.OptionalInt("autoRenewTime", 1, 6));
  terms.auto_renew_months = static_cast<int>(renew_time.value_or(1));
  return OkStatus();
}

}  // namespace

Result<core::PaymentTiming> DecodePaymentTiming(const JsonFields& fields, std::string_view key,
                                                const std::string& value) {
  auto timing = core::ParsePaymentTiming(value);
  if (!timing) return InvalidParameter(fields.Name(key) + " must be Prepaid or Postpaid");
  return *timing;
}

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

Result<std::optional<UnixSeconds>> DecodeReleaseTime(const CallContext& call,
                                                     const JsonFields& fields) {
  CUPLANE_ASSIGN_OR_RETURN(auto text, fields.OptionalString("releaseTime", 64));
  if (!text || text->empty()) return std::optional<UnixSeconds>();
  auto t = ParseRfc3339(*text);
  if (!t) t = ParsePlainLocalTime(*text, call.server.local_offset_seconds);
  if (!t) {
    return InvalidParameter(fields.Name("releaseTime") +
                            " must be RFC 3339 (2030-01-25T12:30:30+08:00) or "
                            "\"YYYY-MM-DD HH:MM:SS\"");
  }
  return std::optional<UnixSeconds>(*t);
}

Result<core::BillingTerms> DecodeBilling(const CallContext& call, const JsonFields& body) {
  core::BillingTerms terms;
  CUPLANE_ASSIGN_OR_RETURN(JsonFields billing, body.RequiredObject("billing"));
  CUPLANE_ASSIGN_OR_RETURN(std::string timing, billing.RequiredString("paymentTiming", 16));
  CUPLANE_ASSIGN_OR_RETURN(terms.payment_timing,
                           DecodePaymentTiming(billing, "paymentTiming", timing));
  CUPLANE_ASSIGN_OR_RETURN(terms.release_time, DecodeReleaseTime(call, billing));
  if (terms.payment_timing == core::PaymentTiming::kPrepaid) {
    if (terms.release_time) {
      return InvalidParameter(billing.Name("releaseTime") +
                              " applies only to Postpaid; a Prepaid unit ends at expiry");
    }
    CUPLANE_TRY(DecodeReservation(billing, terms));
  }  // Postpaid: reservation is ignored (SPEC §4.1)
  if (terms.release_time && *terms.release_time <= call.now) {
    return InvalidParameter(billing.Name("releaseTime") + " must be in the future");
  }
  return terms;
}

}  // namespace cuplane::api
