// The Authorization parser and the canonicaliser: the first line is the header, the second
// the path, the rest "name: value" headers. Nothing may crash, and a parsed header must
// verify-or-refuse without throwing.
#include <cstdint>
#include <sstream>
#include <string>

#include "auth/authorization_header.h"
#include "auth/bce_signer.h"
#include "auth/signature_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream lines(input);
  std::string header, path, line;
  std::getline(lines, header);
  std::getline(lines, path);
  cuplane::auth::SignableRequest request{"POST", path, {}, {}};
  while (std::getline(lines, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) {
      request.query.emplace_back(line, "");
    } else {
      request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  cuplane::auth::CanonicalUri(path);
  cuplane::auth::CanonicalQuery(request.query);
  cuplane::auth::CanonicalHeaders(request.headers,
                                  cuplane::auth::DefaultSignedHeaders(request.headers));
  auto parsed = cuplane::auth::ParseAuthorization(header);
  if (parsed.ok()) {
    (void)cuplane::auth::VerifySignature(request, *parsed, "secret");
    (void)cuplane::auth::CheckValidityWindow(*parsed, 1893456000, {});
  }
  return 0;
}
