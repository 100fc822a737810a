#include "common/error.h"

namespace cuplane {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidHTTPRequest:
      return "InvalidHTTPRequest";
    case ErrorCode::kInvalidURI:
      return "InvalidURI";
    case ErrorCode::kInvalidAction:
      return "InvalidAction";
    case ErrorCode::kMalformedJSON:
      return "MalformedJSON";
    case ErrorCode::kInvalidParameter:
      return "InvalidParameter";
    case ErrorCode::kInvalidHTTPAuthHeader:
      return "InvalidHTTPAuthHeader";
    case ErrorCode::kSignatureDoesNotMatch:
      return "SignatureDoesNotMatch";
    case ErrorCode::kRequestExpired:
      return "RequestExpired";
    case ErrorCode::kInvalidAccessKeyId:
      return "InvalidAccessKeyId";
    case ErrorCode::kAccessDenied:
      return "AccessDenied";
    case ErrorCode::kIdempotentParameterMismatch:
      return "IdempotentParameterMismatch";
    case ErrorCode::kResourceNotFound:
      return "ResourceNotFound";
    case ErrorCode::kOperationNotAllowed:
      return "OperationNotAllowed";
    case ErrorCode::kInsufficientInventory:
      return "InsufficientInventory";
    case ErrorCode::kInsufficientBalance:
      return "InsufficientBalance";
    case ErrorCode::kRequestEntityTooLarge:
      return "RequestEntityTooLarge";
    case ErrorCode::kRequestHeaderFieldsTooLarge:
      return "RequestHeaderFieldsTooLarge";
    case ErrorCode::kRequestLimitExceeded:
      return "RequestLimitExceeded";
    case ErrorCode::kInternalError:
      return "InternalError";
    case ErrorCode::kServiceUnavailable:
      return "ServiceUnavailable";
  }
  return "InternalError";
}

}  // namespace cuplane
