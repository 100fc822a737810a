#include "web/web_router.h"

namespace cuplane::web {

void WebRouter::AddExact(std::string path, WebHandler handler, Store store) {
  routes_.push_back({std::move(path), false, std::move(handler), store});
}

void WebRouter::AddPrefix(std::string prefix, WebHandler handler) {
  routes_.push_back({std::move(prefix), true, std::move(handler)});
}

namespace {

bool RouteOwns(bool prefix, const std::string& route, std::string_view path) {
  return prefix ? path.starts_with(route) : path == route;
}

}  // namespace

std::optional<api::ApiResponse> WebRouter::Handle(const api::ApiRequest& request) const {
  std::string_view path = TargetPath(request.target);
  for (const Route& route : routes_) {
    if (RouteOwns(route.prefix, route.path, path)) return route.handler(request, path);
  }
  return std::nullopt;
}

std::optional<WebRouter::Store> WebRouter::Owner(const api::ApiRequest& request) const {
  std::string_view path = TargetPath(request.target);
  for (const Route& route : routes_) {
    if (RouteOwns(route.prefix, route.path, path)) return route.store;
  }
  return std::nullopt;
}

std::string_view TargetPath(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

api::ApiResponse PlainText(int status, std::string_view text) {
  api::ApiResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"}};
  response.body = std::string(text) + "\n";
  return response;
}

}  // namespace cuplane::web
