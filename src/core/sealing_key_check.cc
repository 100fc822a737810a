#include "core/sealing_key_check.h"

namespace cuplane::core {

SealingKeyCheck CheckSealingKey(store::Transaction& tx, const SecretBox& box, bool key_is_new) {
  const std::string key(store::kMetaSecretKeyCheck);
  const std::string check = box.CheckValue();
  std::optional<std::string> stored = tx.GetMeta(key);
  if (!stored) {
    if (auto sealed = tx.AnySealedSecret()) {
      if (key_is_new) return SealingKeyCheck::kNewKeyForSealedStore;
      if (!box.Open(*sealed).ok()) return SealingKeyCheck::kMismatch;
    }
    // Insert-if-absent, not an upsert: of two servers starting at once on an empty database
    // with different keys, one records its key and the other then finds a mismatch.
    if (tx.InsertMetaIfAbsent(key, check)) return SealingKeyCheck::kRecorded;
    stored = tx.GetMeta(key);
  }
  if (stored && *stored == check) return SealingKeyCheck::kMatches;
  return key_is_new ? SealingKeyCheck::kNewKeyForSealedStore : SealingKeyCheck::kMismatch;
}

}  // namespace cuplane::core
