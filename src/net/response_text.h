// An API response as the bytes of an HTTP/1.x message: status line, headers, Content-Length,
// Connection when needed, body. Written straight into one string that the session reuses for
// every response, where Beast's response object and serializer (a node per header field, a
// chain of buffer views) were an eighth of a signed read's instructions under callgrind.
#pragma once

#include <string>

#include "api/api_types.h"

namespace cuplane::net {

// Replaces `out` with the message. `version` is the request's (10 or 11); `keep_alive` whether
// the connection stays open after it. A header whose name or value holds CR or LF is left out
// (the API layer never makes one; this keeps a slip from becoming a split response). A header
// named twice is written once, with its last value.
void WriteResponseText(const api::ApiResponse& response, int version, bool keep_alive,
                       std::string& out);

}  // namespace cuplane::net
