#include "net/response_text.h"

#include <boost/beast/http/status.hpp>
#include <string_view>

#include "common/ascii.h"

namespace cuplane::net {
namespace {

bool SafeInHeader(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

void WriteResponseText(const api::ApiResponse& response, int version, bool keep_alive,
                       std::string& out) {
  const auto& headers = response.headers;
  out.clear();
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(response.status)).append(" ");
  auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  out.append(reason.data(), reason.size()).append("\r\n");
  AppendHeader(out, "Server", "cuplane");
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto& [name, value] = headers[i];
    if (name.empty() || !SafeInHeader(name) || !SafeInHeader(value)) continue;
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
        EqualsIgnoreCase(name, "Server")) {
      continue;  // the transport's own
    }
    bool named_again = false;
    for (std::size_t j = i + 1; j < headers.size() && !named_again; ++j) {
      named_again = EqualsIgnoreCase(headers[j].first, name);
    }
    if (!named_again) AppendHeader(out, name, value);
  }
  AppendHeader(out, "Content-Length", std::to_string(response.body.size()));
  if (version == 10 && keep_alive) AppendHeader(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) AppendHeader(out, "Connection", "close");
  out.append("\r\n").append(response.body);
}

}  // namespace cuplane::net
