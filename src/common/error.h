// The one error vocabulary of cuplane: the codes of SPEC §8 and a small Result type.
//
// Domain outcomes (a missing service, an empty pool, a bad field) travel as values in
// Result<T>; nothing below the API layer knows about HTTP. The API layer turns an Error into
// an HTTP response in exactly one place (api/error_response.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cuplane {

enum class ErrorCode {
  kInvalidHTTPRequest,
  kInvalidURI,
  kInvalidAction,
  kMalformedJSON,
  kInvalidParameter,
  kInvalidHTTPAuthHeader,
  kSignatureDoesNotMatch,
  kRequestExpired,
  kInvalidAccessKeyId,
  kAccessDenied,
  kIdempotentParameterMismatch,
  kResourceNotFound,
  kOperationNotAllowed,
  kInsufficientInventory,
  kInsufficientBalance,
  kRequestEntityTooLarge,
  kRequestHeaderFieldsTooLarge,
  kRequestLimitExceeded,
  kInternalError,
  kServiceUnavailable,
};

// The wire name of a code, e.g. "InvalidParameter".
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
  // False for the one answer a client must not simply retry: a write whose outcome is unknown
  // (it may have happened). The HTTP layer says so with `x-should-retry: false`.
  bool retry_safe = true;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// The most common refusal: a field missing, of the wrong type or out of range.
inline Error InvalidParameter(std::string message) {
  return MakeError(ErrorCode::kInvalidParameter, std::move(message));
}

// A value or an Error. Deliberately tiny: no exceptions cross layers for domain outcomes.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace cuplane

// Propagate an Error from an expression yielding Result<...>.
#define CUPLANE_TRY(expr)                                              \
  do {                                                                 \
    auto cuplane_try_result_ = (expr);                                 \
    if (!cuplane_try_result_.ok()) return cuplane_try_result_.error(); \
  } while (0)

#define CUPLANE_CONCAT_INNER_(a, b) a##b
#define CUPLANE_CONCAT_(a, b) CUPLANE_CONCAT_INNER_(a, b)
// Bind the value of a Result<T> expression to `lhs`, or return its Error.
#define CUPLANE_ASSIGN_OR_RETURN(lhs, expr)                    \
  auto CUPLANE_CONCAT_(cuplane_result_, __LINE__) = (expr);    \
  if (!CUPLANE_CONCAT_(cuplane_result_, __LINE__).ok())        \
    return CUPLANE_CONCAT_(cuplane_result_, __LINE__).error(); \
  lhs = std::move(CUPLANE_CONCAT_(cuplane_result_, __LINE__)).value()
