// clientToken idempotency (SPEC §4.1). Every call without a token is a new purchase, resize or
// service; a token makes retries safe: within the window (24 h of the server's clock) the
// account's second use of a token returns the first result, and a use with other parameters,
// or on another action, is IdempotentParameterMismatch. One namespace per account covers
// every purchase path, ResizeComputeUnit and CreateService.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "core/lifecycle_config.h"
#include "store/store.h"

namespace cuplane::core {

// The actions that share an account's token namespace.
inline constexpr std::string_view kPurchaseForServiceAction = "purchase-for-service";
inline constexpr std::string_view kPurchaseUnitsAction = "purchase-units";
inline constexpr std::string_view kResizeAction = "resize";
inline constexpr std::string_view kCreateServiceAction = "create-service";

struct ClientTokenUse {
  std::string token;        // as stored; empty: the call carries no token
  std::string fingerprint;  // what the call asks for, after defaults are applied
};

// `action` is one of the names above; `parameters` is the caller's canonical text of every
// parameter that decides the outcome (defaults applied). An empty token gives an empty use.
ClientTokenUse MakeClientTokenUse(std::string_view token, std::string_view action,
                                  std::string_view parameters);

// The result a token already produced, nullopt when the call must run, or a mismatch error.
// The caller reads (and so, on PostgreSQL, locks) the account first, so that two retries of
// one token on two servers run one after the other and the second sees the first's record.
// A record older than the window counts as none, so a token reused after it starts afresh.
Result<std::optional<std::string>> PriorTokenResult(store::Transaction& tx,
                                                    const std::string& account_id,
                                                    const ClientTokenUse& use,
                                                    const LifecycleConfig& config, UnixSeconds now);

// Deletes the records older than the window: housekeeping, run by the scheduler now and then
// (an expired record already counts as none, so how late this runs changes no answer).
void PurgeExpiredTokens(store::Transaction& tx, const LifecycleConfig& config, UnixSeconds now);

// Records the result of the call that used the token (no-op without one), replacing an
// expired record of it. Called only after PriorTokenResult found none in the same transaction.
void RememberTokenResult(store::Transaction& tx, const std::string& account_id,
                         const ClientTokenUse& use, const std::string& result, UnixSeconds now);

}  // namespace cuplane::core
