#include "common/random_id.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace cuplane {
namespace {

// Bytes from the CSPRNG, drawn 4 KiB at a time per thread: every response carries a new UUID,
// and a RAND_bytes call costs thousands of instructions however few bytes it returns (the
// profile of a signed read showed it as 3% of the server's time). The bytes handed out are the
// CSPRNG's either way; each is wiped from the pool as it goes. (cuplane never forks, so no two
// processes can share a pool.)
void FillRandom(unsigned char* bytes, size_t n) {
  struct Pool {
    std::array<unsigned char, 4096> bytes;
    size_t used = 4096;
    ~Pool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
  };
  thread_local Pool pool;
  while (n > 0) {
    if (pool.used == pool.bytes.size()) {
      if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) {
        throw std::runtime_error("the CSPRNG failed");  // never silently weaker randomness
      }
      pool.used = 0;
    }
    size_t take = std::min(n, pool.bytes.size() - pool.used);
    std::memcpy(bytes, pool.bytes.data() + pool.used, take);
    OPENSSL_cleanse(pool.bytes.data() + pool.used, take);
    pool.used += take;
    bytes += take;
    n -= take;
  }
}

std::string RandomFromAlphabet(std::string_view alphabet, size_t length) {
  // Rejection sampling: bytes at or above the largest multiple of the alphabet size are
  // discarded so every character is equally likely.
  const unsigned limit = 256 - (256 % alphabet.size());
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> buffer;
  while (out.size() < length) {
    FillRandom(buffer.data(), buffer.size());
    for (unsigned char b : buffer) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

}  // namespace

std::string RandomLowerAlnum(size_t length) {
  return RandomFromAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", length);
}

std::string RandomAlnum(size_t length) {
  return RandomFromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                            length);
}

std::uint64_t RandomUint64() {
  std::uint64_t value = 0;
  FillRandom(reinterpret_cast<unsigned char*>(&value), sizeof value);
  return value;
}

std::string NewUuid() {
  std::array<unsigned char, 16> b;
  FillRandom(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  // Every response carries one, so no printf: 8-4-4-4-12 lower-case hex digits.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[b[i] >> 4]);
    text.push_back(kHex[b[i] & 0xf]);
  }
  return text;
}

}  // namespace cuplane
