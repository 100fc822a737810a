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
constexpr const char* kCaFileEnv = "CUPLANE_CA_FILE";

// An empty variable counts as unset, as it would for a flag given "".
std::string FlagOrEnv(const std::string& flag, const char* env_name) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env_name);
  return value ? value : "";
}

Error BadEndpoint(std::string_view url, std::string_view why) {
  return InvalidParameter("endpoint \"" + std::string(url) + "\" " + std::string(why) +
                          "; expected http://HOST[:PORT] or https://HOST[:PORT]");
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

// The CA file from --ca-file, else CUPLANE_CA_FILE (else none: the system's store), labelled
// as the user gave it, so that messages about it name the flag or the variable.
client::TlsOptions TrustFor(const ConnectionFlags& flags) {
  client::TlsOptions options;
  options.ca_file = FlagOrEnv(flags.ca_file, kCaFileEnv);
  if (!flags.ca_file.empty()) {
    options.ca_file_label = "--ca-file";
  } else if (!options.ca_file.empty()) {
    options.ca_file_label = kCaFileEnv;
  } else {
    options.ca_file_label = std::string("--ca-file FILE (or ") + kCaFileEnv + ")";
  }
  return options;
}

}  // namespace

void AddConnectionFlags(CLI::App* cmd, ConnectionFlags& flags) {
  cmd->add_option(
      "--endpoint", flags.endpoint,
      "server URL (default: $CUPLANE_ENDPOINT, else " + std::string(kDefaultEndpoint) + ")");
  cmd->add_option("--access-key", flags.access_key, "access key (default: $CUPLANE_ACCESS_KEY)");
  cmd->add_option("--secret-key", flags.secret_key, "secret key (default: $CUPLANE_SECRET_KEY)");
  cmd->add_option("--ca-file", flags.ca_file,
                  "https://: PEM certificates to trust instead of the system's store, e.g. a "
                  "private CA or a self-signed server certificate (default: $CUPLANE_CA_FILE)");
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return BadEndpoint(url, "is not a URL");
  Endpoint endpoint;
  if (parsed->scheme_id() == boost::urls::scheme::https) {
    endpoint.tls = true;
    endpoint.port = 443;
  } else if (parsed->scheme_id() != boost::urls::scheme::http) {
    return BadEndpoint(url, "is neither an http:// nor an https:// URL");
  }
  if (parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment() ||
      (!parsed->path().empty() && parsed->path() != "/")) {
    return BadEndpoint(url, "has more than a host and port");
  }
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
  if (connection.address.tls) {
    CUPLANE_ASSIGN_OR_RETURN(connection.tls, client::TlsClientContext::Load(TrustFor(flags)));
  } else if (!flags.ca_file.empty()) {
    // Plain HTTP verifies nothing: a CA file given for it is a mistake, not a no-op.
    return InvalidParameter("--ca-file is for https:// endpoints; " + connection.endpoint +
                            " is plain HTTP");
  }
  connection.credentials.access_key = FlagOrEnv(flags.access_key, kAccessKeyEnv);
  connection.credentials.secret_key = FlagOrEnv(flags.secret_key, kSecretKeyEnv);
  if (connection.credentials.access_key.empty() || connection.credentials.secret_key.empty()) {
    return InvalidParameter(
        "no credentials: give --access-key and --secret-key, or set CUPLANE_ACCESS_KEY and "
        "CUPLANE_SECRET_KEY");
  }
  return connection;
}

client::ApiClient MakeClient(const Connection& connection) {
  if (connection.tls) {
    return client::ApiClient(connection.address.host, connection.address.port, connection.tls,
                             connection.credentials);
  }
  return client::ApiClient(connection.address.host, connection.address.port,
                           connection.credentials);
}

}  // namespace cuplane::cli
