// The server's TLS configuration (--tls-cert FILE --tls-key FILE, PEM): loaded and checked once
// at start-up, so that a missing, unreadable, malformed or mismatched file stops the server
// with a message naming the flag and the file, before it serves anything. TLS 1.2 and later.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"

namespace boost::asio::ssl {
class context;
}

namespace cuplane::net {

class TlsContext {
 public:
  // InvalidParameter saying which flag and file is wrong and how. `cert_file` may hold a chain
  // (the server's certificate first); `key_file` an unencrypted private key.
  static Result<std::shared_ptr<TlsContext>> Load(const std::string& cert_file,
                                                  const std::string& key_file);
  ~TlsContext();

  boost::asio::ssl::context& native() { return *context_; }

 private:
  explicit TlsContext(std::unique_ptr<boost::asio::ssl::context> context);
  std::unique_ptr<boost::asio::ssl::context> context_;
};

}  // namespace cuplane::net
