// Where the client commands connect and as whom: --endpoint, --access-key and --secret-key, each
// falling back to CUPLANE_ENDPOINT, CUPLANE_ACCESS_KEY and CUPLANE_SECRET_KEY, so that a shell
// configured once (or a script's environment) needs no flags and a flag still wins.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/api_client.h"
#include "common/error.h"

namespace cuplane::cli {

inline constexpr std::string_view kDefaultEndpoint = "http://127.0.0.1:8866";

// The flags as given; "" means "not given".
struct ConnectionFlags {
  std::string endpoint;
  std::string access_key;
  std::string secret_key;
};

struct HttpEndpoint {
  std::string host;
  std::uint16_t port = 80;
};

// Everything a command needs to reach the server.
struct Connection {
  std::string endpoint;  // as given, for messages
  HttpEndpoint address;
  client::Credentials credentials;
};

// Adds --endpoint, --access-key and --secret-key to `cmd`, bound to `flags`.
void AddConnectionFlags(CLI::App* cmd, ConnectionFlags& flags);

// Parses http://HOST[:PORT][/] (port 80 by default). The client speaks plain HTTP only, so
// any other scheme, and a path, query or user info that would be silently dropped, is refused.
Result<HttpEndpoint> ParseEndpoint(std::string_view url);

// Each value from its flag, else its environment variable, else (endpoint only) the default.
// The Error's message says what is missing or wrong and how to supply it.
Result<Connection> ResolveConnection(const ConnectionFlags& flags);

}  // namespace cuplane::cli
