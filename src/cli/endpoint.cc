#include "cli/endpoint.h"

#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace cuplane::cli {
namespace {

constexpr const char* kEndpointEnv = "CUPLANE_ENDPOINT";
constexpr const char* kAccessKeyEnv = "CUPLANE_ACCESS_KEY";
constexpr const char* kSecretKeyEnv = "CUPLANE_SECRET_KEY";

// An empty variable counts as unset, as it would for a flag given "".
std::string FlagOrEnv(const std::string& flag, const char* env_name) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env_name);
  return value ? value : "";
}

Error BadEndpoint(std::string_view url, std::string_view why) {
  return InvalidParameter("endpoint \"" + std::string(url) + "\" " + std::string(why) +
                          "; expected http://HOST[:PORT]");
}

// Boost.URL's port_number() does not refuse a port above 65535; this does.
std::optional<std::uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

void AddConnectionFlags(CLI::App* cmd, ConnectionFlags& flags) {
  cmd->add_option(
      "--endpoint", flags.endpoint,
      "server URL (default: $CUPLANE_ENDPOINT, else " + std::string(kDefaultEndpoint) + ")");
  cmd->add_option("--access-key", flags.access_key, "access key (default: $CUPLANE_ACCESS_KEY)");
  cmd->add_option("--secret-key", flags.secret_key, "secret key (default: $CUPLANE_SECRET_KEY)");
}

Result<HttpEndpoint> ParseEndpoint(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return BadEndpoint(url, "is not a URL");
  if (parsed->scheme_id() != boost::urls::scheme::http) {
    return BadEndpoint(url, "is not an http:// URL");
  }
  if (parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment() ||
      (!parsed->path().empty() && parsed->path() != "/")) {
    return BadEndpoint(url, "has more than a host and port");
  }
  HttpEndpoint endpoint;
  // host_address() is the host without IPv6 brackets, which is what a resolver takes.
  endpoint.host = std::string(parsed->host_address());
  if (endpoint.host.empty()) return BadEndpoint(url, "has no host");
  if (parsed->has_port()) {
    auto port = ParsePort(parsed->port());
    if (!port) return BadEndpoint(url, "has an invalid port");
    endpoint.port = *port;
  }
  return endpoint;
}

Result<Connection> ResolveConnection(const ConnectionFlags& flags) {
  Connection connection;
  connection.endpoint = FlagOrEnv(flags.endpoint, kEndpointEnv);
  if (connection.endpoint.empty()) connection.endpoint = kDefaultEndpoint;
  CUPLANE_ASSIGN_OR_RETURN(connection.address, ParseEndpoint(connection.endpoint));
  connection.credentials.access_key = FlagOrEnv(flags.access_key, kAccessKeyEnv);
  connection.credentials.secret_key = FlagOrEnv(flags.secret_key, kSecretKeyEnv);
  if (connection.credentials.access_key.empty() || connection.credentials.secret_key.empty()) {
    return InvalidParameter(
        "no credentials: give --access-key and --secret-key, or set CUPLANE_ACCESS_KEY and "
        "CUPLANE_SECRET_KEY");
  }
  return connection;
}

}  // namespace cuplane::cli
