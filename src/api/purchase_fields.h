// The fields every purchase shares (SPEC §4.1): `billing`, `clientToken`, `releaseTime` and
// `paymentTiming`, read the same way by the purchases of both paths and by CreateService.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/server_context.h"
#include "core/compute_units.h"

namespace cuplane::api {

// `value` of the field `key` as a payment timing: exactly Prepaid or Postpaid.
Result<core::PaymentTiming> DecodePaymentTiming(const JsonFields& fields, std::string_view key,
                                                const std::string& value);

// clientToken from the query or the body (SPEC §4.1): at most 64 printable ASCII characters;
// "" when none. Both given and different is InvalidParameter.
Result<std::string> DecodeClientToken(const CallContext& call, const JsonFields& body);

// releaseTime: RFC 3339, or "YYYY-MM-DD HH:MM:SS" in the server's local offset; absent, null
// or "" reads as none.
Result<std::optional<UnixSeconds>> DecodeReleaseTime(const CallContext& call,
                                                     const JsonFields& fields);

// body.billing {paymentTiming, reservation (Prepaid), releaseTime (Postpaid, in the future)}.
Result<core::BillingTerms> DecodeBilling(const CallContext& call, const JsonFields& body);

}  // namespace cuplane::api
