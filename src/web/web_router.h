// The non-API routes (SPEC §1: the console, and the machine endpoints beside it) in one small
// table, consulted before the API: a path listed here is never an API call, and every other
// path goes to the API unchanged. Adding an endpoint is adding one row.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_types.h"

namespace cuplane::web {

// `path` is the request path without its query string.
using WebHandler = std::function<api::ApiResponse(const api::ApiRequest&, std::string_view path)>;

class WebRouter {
 public:
  // Whether a page may wait for the store (then it runs on a worker, never on an I/O thread).
  enum class Store { kNotUsed, kRead };

  // Owns exactly `path`.
  void AddExact(std::string path, WebHandler handler, Store store = Store::kNotUsed);
  // Owns every path that starts with `prefix`.
  void AddPrefix(std::string prefix, WebHandler handler);

  // The answer of the route owning the request's path, or nullopt when the API owns it.
  std::optional<api::ApiResponse> Handle(const api::ApiRequest& request) const;
  // Whether a route here owns the request's path, and whether it reads the store.
  std::optional<Store> Owner(const api::ApiRequest& request) const;

 private:
  struct Route {
    std::string path;
    bool prefix;
    WebHandler handler;
    Store store = Store::kNotUsed;
  };
  std::vector<Route> routes_;
};

// The path part of an origin-form target ("/console/app.js?x" -> "/console/app.js").
std::string_view TargetPath(std::string_view target);

// A small text response (404, 405, redirects) with the given status.
api::ApiResponse PlainText(int status, std::string_view text);

}  // namespace cuplane::web
