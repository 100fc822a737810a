// A self-signed certificate made by the openssl binary for one test, as an operator would make
// one (docs/operations.md): EC P-256, valid two days, for the given subjectAltName entries.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "server_process.h"

namespace cuplane::testing {

// Writes `cert` and `key` into `dir`. `alt_names` is openssl's subjectAltName value
// ("IP:127.0.0.1,DNS:localhost"); `key_protection` "" leaves the key unencrypted, else it is
// the openssl flag that encrypts it ("-passout pass:...").
inline void MakeCertificate(const TempDir& dir, const std::string& cert, const std::string& key,
                            const std::string& alt_names = "IP:127.0.0.1",
                            const std::string& key_protection = "") {
  std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 2 "
      "-subj /CN=cuplane-test -addext subjectAltName=" +
      alt_names + " " + (key_protection.empty() ? std::string("-nodes") : key_protection) +
      " -keyout " + dir.File(key) + " -out " + dir.File(cert) + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

}  // namespace cuplane::testing
