// The protocol layer's entry point: one ApiRequest in, one ApiResponse out. It routes, checks
// the signature and the caller's policy, parses the body and runs the handler. It may block on
// the database, so the transport calls it from a worker thread, never from an I/O thread.
#pragma once

#include "api/api_types.h"
#include "api/server_context.h"

namespace cuplane::api {

class ApiService {
 public:
  explicit ApiService(ServerContext context) : context_(std::move(context)) {}

  ApiResponse Handle(const ApiRequest& request);

 private:
  ServerContext context_;
};

}  // namespace cuplane::api
