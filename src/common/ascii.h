// ASCII text helpers shared by every layer (HTTP header names, enum-like API fields).
#pragma once

#include <string_view>

namespace cuplane {

// Case-insensitive ASCII comparison: header names, and enum-like fields the API reads
// case-insensitively. Bytes outside A-Z compare as they are.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace cuplane
