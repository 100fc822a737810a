// Sealing secret keys at rest (issue 4): AES-256-GCM under a key-encryption key kept in a
// 0600 file beside the data (or given by the operator), so a copy of the database alone does
// not reveal any secret key. The verifier needs the plaintext to compute HMACs, so secrets are
// encrypted, not hashed.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/error.h"

namespace cuplane {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;

  explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}

  // Reads the key file (64 hex characters), creating it with a fresh random key and mode 0600
  // when it does not exist (then *created, when given, is set). Refuses a file that others
  // can read.
  static Result<SecretBox> LoadOrCreate(const std::string& path, bool* created = nullptr);

  // A value that identifies this key without revealing it: "v1:" + hex(HMAC-SHA256(key, a
  // fixed label)). A store records it so that a server started with another key can be told
  // apart before it seals or opens anything.
  std::string CheckValue() const;
  // A fresh random key that lives only in this process (for a store that does not outlive it).
  static Result<SecretBox> Ephemeral();

  // "v1:" + hex(nonce | ciphertext | tag).
  std::string Seal(std::string_view plaintext) const;
  // InternalError when the value was not sealed with this key or was tampered with.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  std::array<unsigned char, kKeyBytes> key_;
};

}  // namespace cuplane
