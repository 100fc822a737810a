#pragma once

#include <string>
#include <string_view>

namespace cuplane {

// `size` bytes as lower-case hexadecimal, two characters a byte.
std::string LowerHex(const unsigned char* bytes, size_t size);

// hex(SHA-256(data)), lower-case.
std::string Sha256Hex(std::string_view data);

}  // namespace cuplane
