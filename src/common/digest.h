#pragma once

#include <string>
#include <string_view>

namespace cuplane {

// hex(SHA-256(data)), lower-case.
std::string Sha256Hex(std::string_view data);

}  // namespace cuplane
