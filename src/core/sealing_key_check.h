// The secret-sealing key must be the one the store's secrets were sealed with (SPEC §6):
// servers sharing a database share the key, and a server whose key file was lost must not
// make a new one and start, answering 500 to every request signed with an existing key. The
// store keeps the key's check value (SecretBox::CheckValue, never the key) in its meta table,
// under store::kMetaSecretKeyCheck.
#pragma once

#include "common/secret_box.h"
#include "store/state_tables.h"
#include "store/store.h"

namespace cuplane::core {

enum class SealingKeyCheck {
  kMatches,   // the store records this key's check value
  kRecorded,  // the store had none; it now records this key's
  kMismatch,  // the store's secrets were sealed with another key
  kNewKeyForSealedStore,  // a key made just now, for a store that already holds sealed secrets
};

// Run in a write transaction before anything is sealed or opened. `key_is_new`: the key file
// was created by this start. A store written before check values were recorded gets this
// key's value when the key opens one of its sealed secrets.
SealingKeyCheck CheckSealingKey(store::Transaction& tx, const SecretBox& box, bool key_is_new);

}  // namespace cuplane::core
