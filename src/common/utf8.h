// UTF-8 well-formedness, for hostile input (request bodies) and for what must stay valid JSON
// (JSON log lines).
#pragma once

#include <string_view>

namespace cuplane {

// Well-formed UTF-8 (RFC 3629): no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF.
bool IsValidUtf8(std::string_view s);

}  // namespace cuplane
