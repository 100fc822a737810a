// What an https:// client trusts: the system's certificate store, or the certificates of one
// PEM file (a private CA, or a server's self-signed certificate). Loaded and checked once, so
// that a missing or malformed file is refused before any connection, with a message naming
// how the user gave it. Verification of the server is always on; there is no way to turn it off.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"

namespace boost::asio::ssl {
class context;
}

namespace cuplane::client {

struct TlsOptions {
  // PEM certificates to trust instead of the system's store; "" trusts the system's store
  // (OpenSSL's default paths, which honour SSL_CERT_FILE and SSL_CERT_DIR).
  std::string ca_file;
  // How the user names that file, for messages: "--ca-file", say. When no file is given it
  // says where one would go ("cannot verify ...; trust its issuer with <label>").
  std::string ca_file_label = "a CA file";
};

class TlsClientContext {
 public:
  // InvalidParameter when the CA file cannot be read or holds no certificate.
  static Result<std::shared_ptr<TlsClientContext>> Load(TlsOptions options);
  ~TlsClientContext();

  boost::asio::ssl::context& native() { return *context_; }
  const TlsOptions& options() const { return options_; }

 private:
  TlsClientContext(std::unique_ptr<boost::asio::ssl::context> context, TlsOptions options);
  std::unique_ptr<boost::asio::ssl::context> context_;
  TlsOptions options_;
};

}  // namespace cuplane::client
