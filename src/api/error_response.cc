#include "api/error_response.h"

#include <boost/json.hpp>

namespace cuplane::api {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidHTTPRequest:
    case ErrorCode::kInvalidURI:
    case ErrorCode::kInvalidAction:
    case ErrorCode::kMalformedJSON:
    case ErrorCode::kInvalidParameter:
    case ErrorCode::kInvalidHTTPAuthHeader:
    case ErrorCode::kSignatureDoesNotMatch:
    case ErrorCode::kRequestExpired:
    case ErrorCode::kOperationNotAllowed:
    case ErrorCode::kInsufficientInventory:
    case ErrorCode::kInsufficientBalance:
      return 400;
    case ErrorCode::kInvalidAccessKeyId:
    case ErrorCode::kAccessDenied:
    case ErrorCode::kIdempotentParameterMismatch:
      return 403;
    case ErrorCode::kResourceNotFound:
      return 404;
    case ErrorCode::kRequestEntityTooLarge:
      return 413;
    case ErrorCode::kRequestHeaderFieldsTooLarge:
      return 431;
    case ErrorCode::kRequestLimitExceeded:
      return 429;
    case ErrorCode::kInternalError:
      return 500;
    case ErrorCode::kServiceUnavailable:
      return 503;
  }
  return 500;
}

namespace {

// A header value must be one line of visible ASCII; anything else becomes '?'.
std::string HeaderSafe(const std::string& text) {
  std::string out;
  out.reserve(std::min<size_t>(text.size(), 512));
  for (char c : text) {
    if (out.size() >= 512) break;
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

ApiResponse MakeErrorResponse(const Error& error, const std::string& request_id) {
  std::string code(ErrorCodeName(error.code));
  boost::json::object body{{"requestId", request_id}, {"code", code}, {"message", error.message}};
  ApiResponse response;
  response.status = HttpStatusFor(error.code);
  response.body = boost::json::serialize(body);
  response.headers = {{"Content-Type", "application/json"},
                      {"x-bce-request-id", request_id},
                      {"X-Bce-Error-Code", code},
                      {"X-Bce-Error-Message", HeaderSafe(error.message)}};
  // SDKs retry 5xx on their own; this one they must not (its write may have happened).
  if (!error.retry_safe) response.headers.emplace_back("x-should-retry", "false");
  response.outcome.request_id = request_id;
  response.outcome.error = error.code;
  return response;
}

}  // namespace cuplane::api
