// ASCII text helpers shared by every layer (HTTP header names, enum-like API fields).
#pragma once

#include <string>
#include <string_view>

namespace cuplane {

// Case-insensitive ASCII comparison: header names, and enum-like fields the API reads
// case-insensitively. Bytes outside A-Z compare as they are.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A copy with A-Z lowered; other bytes as they are.
std::string ToLowerAscii(std::string_view s);

// Without the leading and trailing whitespace of the C locale (space, \t, \n, \v, \f, \r), as
// the SDKs' signers strip header names and values.
std::string_view TrimAsciiSpace(std::string_view s);

}  // namespace cuplane
