#include "core/client_tokens.h"

#include "common/digest.h"

namespace cuplane::core {

ClientTokenUse MakeClientTokenUse(std::string_view token, std::string_view action,
                                  std::string_view parameters) {
  if (token.empty()) return {};
  // A purchase for a service hashes its parameters alone, as records written before other
  // actions shared the namespace did, so a retry that straddles an upgrade still matches;
  // every other action prefixes its name, so no two actions can ever match.
  std::string text = action == kPurchaseForServiceAction
                         ? std::string(parameters)
                         : std::string(action) + "\n" + std::string(parameters);
  return ClientTokenUse{"token:" + std::string(token), Sha256Hex(text)};
}

Result<std::optional<std::string>> PriorTokenResult(store::Transaction& tx,
                                                    const std::string& account_id,
                                                    const ClientTokenUse& use,
                                                    const LifecycleConfig& config,
                                                    UnixSeconds now) {
  if (use.token.empty()) return std::optional<std::string>();
  // An expired record counts as none; RememberTokenResult overwrites it.
  auto record = tx.GetIdempotency(account_id, use.token);
  if (!record || record->created_at < now - config.idempotency_window_seconds) {
    return std::optional<std::string>();
  }
  if (record->fingerprint != use.fingerprint) {
    return MakeError(ErrorCode::kIdempotentParameterMismatch,
                     "clientToken was already used with different parameters or another action");
  }
  return std::optional<std::string>(record->result);
}

void PurgeExpiredTokens(store::Transaction& tx, const LifecycleConfig& config, UnixSeconds now) {
  tx.DeleteIdempotencyBefore(now - config.idempotency_window_seconds);
}

void RememberTokenResult(store::Transaction& tx, const std::string& account_id,
                         const ClientTokenUse& use, const std::string& result, UnixSeconds now) {
  if (use.token.empty()) return;
  tx.PutIdempotency(IdempotencyRecord{account_id, use.token, use.fingerprint, result, now});
}

}  // namespace cuplane::core
