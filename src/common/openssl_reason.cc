#include "common/openssl_reason.h"

#include <openssl/err.h>

namespace cuplane {

std::string OpenSslReason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "unknown reason";
}

}  // namespace cuplane
