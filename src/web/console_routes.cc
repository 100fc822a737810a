#include "web/console_routes.h"

#include <map>
#include <string>

#include "api/json_fields.h"
#include "common/digest.h"
#include "web/embedded_assets.h"

namespace cuplane::web {
namespace {

constexpr std::string_view kPrefix = "/console/";

struct ServedAsset {
  std::string_view bytes;
  std::string content_type;
  std::string etag;  // a strong validator: the content's hash, quoted
};

std::string_view Extension(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
}

std::string ContentTypeFor(std::string_view path) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},   {"svg", "image/svg+xml"},
      {"png", "image/png"},                 {"json", "application/json"},
  };
  auto it = kTypes.find(Extension(path));
  return std::string(it == kTypes.end() ? "application/octet-stream" : it->second);
}

// Built once, on first use, from the embedded files; read-only afterwards.
const std::map<std::string, ServedAsset, std::less<>>& Assets() {
  static const auto* assets = [] {
    auto* map = new std::map<std::string, ServedAsset, std::less<>>();
    for (const EmbeddedAsset& a : EmbeddedAssets()) {
      (*map)[std::string(a.path)] = {a.bytes, ContentTypeFor(a.path),
                                     "\"" + Sha256Hex(a.bytes).substr(0, 32) + "\""};
    }
    return map;
  }();
  return *assets;
}

void AddSecurityHeaders(api::ApiResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", kConsoleContentSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

api::ApiResponse Redirect(std::string_view location) {
  api::ApiResponse response = PlainText(301, "moved to " + std::string(location));
  response.headers.emplace_back("Location", location);
  return response;
}

api::ApiResponse ServeAsset(const api::ApiRequest& request, const ServedAsset& asset) {
  api::ApiResponse response;
  const std::string* if_none_match = request.Header("if-none-match");
  if (if_none_match && *if_none_match == asset.etag) {
    response.status = 304;
  } else {
    response.status = 200;
    response.headers.emplace_back("Content-Type", asset.content_type);
    // HEAD answers the headers alone (the transport sizes an empty body as 0).
    if (request.method == "GET") response.body = std::string(asset.bytes);
  }
  response.headers.emplace_back("ETag", asset.etag);
  // The binary's version is the content's version: revalidate, and a rebuilt server is seen.
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

const std::string_view kConsoleContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'none'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

api::ApiResponse ServeConsole(const api::ApiRequest& request, std::string_view path) {
  api::ApiResponse response;
  if (request.method != "GET" && request.method != "HEAD") {
    response = PlainText(405, "the console answers GET only");
    response.headers.emplace_back("Allow", "GET, HEAD");
  } else if (path == "/console") {
    response = Redirect(kPrefix);
  } else {
    std::string_view name = path.substr(kPrefix.size());
    if (name.empty()) name = "index.html";
    const auto& assets = Assets();
    auto it = assets.find(name);
    response = it == assets.end() ? PlainText(404, "no such console file") : ServeAsset(request, it->second);
  }
  AddSecurityHeaders(response);
  return response;
}

void AddConsoleRoutes(WebRouter& router) {
  router.AddExact("/console", ServeConsole);
  router.AddPrefix(std::string(kPrefix), ServeConsole);
}

}  // namespace cuplane::web
