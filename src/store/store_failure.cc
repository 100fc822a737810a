#include "store/store_failure.h"

#include "store/store.h"

namespace cuplane::store {

Error StoreFailureError(const std::exception& failure) {
  const auto* store_error = dynamic_cast<const StoreError*>(&failure);
  if (store_error == nullptr) return MakeError(ErrorCode::kInternalError, "internal store error");
  switch (store_error->kind()) {
    case StoreError::Kind::kFull:
      return MakeError(ErrorCode::kServiceUnavailable,
                       "the store's disk is full: nothing was changed; retry once space has "
                       "been freed");
    case StoreError::Kind::kTimeout:
      return DeadlinePassedError();
    case StoreError::Kind::kBusy:
    case StoreError::Kind::kUnavailable:
      return MakeError(ErrorCode::kServiceUnavailable,
                       "the store is busy or unavailable: nothing was changed; retry later");
    case StoreError::Kind::kConstraint:
    case StoreError::Kind::kInternal:
      break;
  }
  return MakeError(ErrorCode::kInternalError, "internal store error");
}

Error DeadlinePassedError() {
  return MakeError(ErrorCode::kServiceUnavailable,
                   "the store did not answer in time: nothing was changed; retry later");
}

Error OutcomeUnknownError() {
  Error error = MakeError(
      ErrorCode::kServiceUnavailable,
      "the outcome of this request is unknown: it was sent to the store to commit, and the "
      "store did not say in time whether it did. Retry with the same clientToken: a purchase "
      "that happened is then returned, not made twice");
  error.retry_safe = false;
  return error;
}

}  // namespace cuplane::store
