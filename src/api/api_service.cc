#include "api/api_service.h"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>

#include "api/error_response.h"
#include "api/request_authenticator.h"
#include "api/router.h"
#include "auth/authorization_header.h"
#include "common/random_id.h"
#include "scheduler/scheduler.h"
#include "store/call_deadline.h"

namespace cuplane::api {
namespace {

Result<ParsedTarget> ParseTarget(const std::string& target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return MakeError(ErrorCode::kInvalidHTTPRequest, "the request target is not valid");
  ParsedTarget parsed;
  parsed.path = std::string(url->encoded_path());
  parsed.decoded_path = url->path();
  for (auto param : url->params()) {
    parsed.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  return parsed;
}

ApiResponse Success(boost::json::value result, const std::string& request_id) {
  ApiResponse response;
  response.status = 200;
  boost::json::object body(result.storage());  // the result's own, so it moves, not copies
  body.reserve(2);
  body.emplace("requestId", request_id);
  body.emplace("result", std::move(result));  // moved, not copied: it can be a long list
  response.body = boost::json::serialize(body);
  response.headers = {{"Content-Type", "application/json"}, {"x-bce-request-id", request_id}};
  response.outcome.request_id = request_id;
  return response;
}

// The access key id an Authorization header claims, for the request log: only a header that
// parses yields one (the parser bounds and checks it), and never the signature.
std::string ClaimedAccessKey(const std::string* authorization) {
  if (!authorization) return "";
  auto parsed = auth::ParseAuthorization(*authorization);
  return parsed.ok() ? parsed->access_key : "";
}

}  // namespace

ApiResponse ApiService::Handle(const ApiRequest& request) {
  TriagedRequest triaged = Triage(request);
  return triaged.response ? std::move(*triaged.response) : triaged.rest();
}

// The answer to a refused request, with what is known of it for metrics and the log.
ApiResponse ApiService::Refusal(const Error& error, const std::string& request_id,
                                int route_index, std::string access_key) {
  ApiResponse response = MakeErrorResponse(error, request_id);
  response.outcome.route = route_index;
  response.outcome.access_key = std::move(access_key);
  return response;
}

TriagedRequest ApiService::Triage(ApiRequest request) {
  const std::string request_id = NewUuid();
  const auto arrived = store::DeadlineClock::now();
  int route_index = -1;
  auto fail = [&](const Error& error) {
    // Refused before authentication (a bad path or Action): the key it claims still tells
    // whose client is misconfigured.
    return TriagedRequest{Refusal(error, request_id, route_index,
                                  ClaimedAccessKey(request.Header("Authorization"))),
                          nullptr};
  };
  try {
    if (request.method != "POST") {
      return fail(MakeError(ErrorCode::kInvalidHTTPRequest, "every API call is a POST"));
    }
    auto target = ParseTarget(request.target);
    if (!target.ok()) return fail(target.error());
    if (!IsKnownPath(target->decoded_path)) {
      return fail(MakeError(ErrorCode::kInvalidURI, "no API at this path"));
    }
    std::string action;
    for (const auto& [k, v] : target->query) {
      if (k == "Action") {
        action = v;
        break;
      }
    }
    const Route* route = FindRoute(target->decoded_path, action);
    if (!route) {
      return fail(MakeError(ErrorCode::kInvalidAction, action.empty()
                                                           ? "the Action query parameter is missing"
                                                           : "unknown Action for this path"));
    }
    route_index = static_cast<int>(route - Routes().data());
    const std::string* authorization = request.Header("Authorization");
    auto credentials = CheckCredentials(context_, authorization, context_.wall_clock.Now());
    if (!credentials.ok()) return fail(credentials.error());
    auto rest = [this, request = std::move(request), target = std::move(*target), route,
                 credentials = std::move(*credentials), request_id, arrived]() mutable {
      store::CallDeadline deadline(arrived + context_.store_deadline);
      return Continue(request, target, *route, credentials, request_id);
    };
    return TriagedRequest{std::nullopt, std::move(rest), route->access == Access::kRead};
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request_id, e.what());
    return fail(MakeError(ErrorCode::kInternalError, "internal error"));
  }
}

ApiResponse ApiService::Continue(ApiRequest& request, ParsedTarget& target,
                                 const Route& route, const auth::BceAuthorization& credentials,
                                 const std::string& request_id) {
  const int route_index = static_cast<int>(&route - Routes().data());
  std::string access_key = credentials.access_key;  // as claimed, until verified
  auto fail = [&](const Error& error) {
    return Refusal(error, request_id, route_index, std::move(access_key));
  };
  // The request's JSON (its body parsed, a result built with call.json) lives in one arena,
  // on the stack while it fits: Boost.JSON's allocations were 45 of a signed read's 190 heap
  // allocations (callgrind). Everything built in it is serialized before it goes.
  alignas(std::max_align_t) unsigned char json_buffer[8192];
  boost::json::monotonic_resource json_memory(json_buffer, sizeof json_buffer);
  try {
    // The request's parts are moved into the signature check, not copied (a dozen allocations
    // per request): nothing reads its method, path or headers again, and the query goes on to
    // the handler afterwards.
    auth::SignableRequest signable{std::move(request.method), std::move(target.path),
                                   std::move(target.query), std::move(request.headers)};
    auto principal = Authenticate(keys_, signable, credentials);
    CallContext call{context_, {}, std::move(signable.query), 0, &json_memory};
    if (!principal.ok()) return fail(principal.error());
    call.principal = std::move(*principal);
    access_key = call.principal.access_key;
    if (auto allowed = Authorize(call.principal, route.access); !allowed.ok()) {
      return fail(allowed.error());
    }
    // After authentication, so a stranger cannot spend someone else's budget.
    RateLimiter& limiter = route.access == Access::kRead ? read_limiter_ : write_limiter_;
    if (!limiter.Allow(call.principal.access_key)) {
      return fail(MakeError(ErrorCode::kRequestLimitExceeded,
                            "too many requests for this access key; slow down and retry"));
    }

    auto body = ParseBodyObject(request.body, call.json);
    if (!body.ok()) return fail(body.error());
    // On a shared virtual clock the time is the database's: another server may have moved it.
    if (auto synced = context_.scheduler.SyncVirtualClock(); !synced.ok()) {
      return fail(synced.error());
    }
    call.now = context_.clock.Now();
    JsonFields fields(*body, "");
    auto result = HandlerFor(route, fields)(call, fields);
    if (!result.ok()) return fail(result.error());
    ApiResponse response = Success(std::move(*result), request_id);
    response.outcome.route = route_index;
    response.outcome.access_key = std::move(access_key);
    return response;
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request_id, e.what());
    return fail(MakeError(ErrorCode::kInternalError, "internal error"));
  }
}

}  // namespace cuplane::api
