// Where the client commands connect and as whom: --endpoint, --access-key, --secret-key and
// --ca-file, each falling back to CUPLANE_ENDPOINT, CUPLANE_ACCESS_KEY, CUPLANE_SECRET_KEY and
// CUPLANE_CA_FILE, so that a shell configured once (or a script's environment) needs no flags
// and a flag still wins.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "client/api_client.h"
#include "client/tls_client_context.h"
#include "common/error.h"

namespace cuplane::cli {

inline constexpr std::string_view kDefaultEndpoint = "http://127.0.0.1:8866";

// The flags as given; "" means "not given".
struct ConnectionFlags {
  std::string endpoint;
  std::string access_key;
  std::string secret_key;
  std::string ca_file;
};

struct Endpoint {
  bool tls = false;  // https://
  std::string host;
  std::uint16_t port = 80;
};

// Everything a command needs to reach the server.
struct Connection {
  std::string endpoint;  // as given, for messages
  Endpoint address;
  client::Credentials credentials;
  std::shared_ptr<client::TlsClientContext> tls;  // set exactly for https://
};

// Adds --endpoint, --access-key, --secret-key and --ca-file to `cmd`, bound to `flags`.
void AddConnectionFlags(CLI::App* cmd, ConnectionFlags& flags);

// Parses http://HOST[:PORT][/] (port 80 by default) and https://HOST[:PORT][/] (443). A path,
// query or user info, which the client would silently drop, is refused, as is any other scheme.
Result<Endpoint> ParseEndpoint(std::string_view url);

// Each value from its flag, else its environment variable, else (endpoint only) the default.
// For https:// it loads what to trust (the CA file, else the system's store). The Error's
// message says what is missing or wrong and how to supply it.
Result<Connection> ResolveConnection(const ConnectionFlags& flags);

// A client for `connection`: plain or TLS as its endpoint says.
client::ApiClient MakeClient(const Connection& connection);

}  // namespace cuplane::cli
