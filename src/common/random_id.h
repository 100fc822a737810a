// Identifiers and secrets from the operating system's CSPRNG (OpenSSL RAND_bytes).
#pragma once

#include <cstdint>
#include <string>

namespace cuplane {

// `length` characters of [a-z0-9], uniformly distributed (no modulo bias).
std::string RandomLowerAlnum(size_t length);
// `length` characters of [A-Za-z0-9].
std::string RandomAlnum(size_t length);
// 64 uniformly random bits.
std::uint64_t RandomUint64();
// A random (version 4) UUID in its canonical lower-case form.
std::string NewUuid();

}  // namespace cuplane
