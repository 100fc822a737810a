#include "common/random_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace cuplane {
namespace {

void FillRandom(unsigned char* bytes, size_t n) {
  if (RAND_bytes(bytes, static_cast<int>(n)) != 1) {
    throw std::runtime_error("the CSPRNG failed");  // never silently weaker randomness
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
