// What a caller is told when the storage itself failed (StoreError): one wording for every
// backend, saying what happened and whether to retry. Details go to the log, never to callers.
#pragma once

#include <exception>

#include "common/error.h"

namespace cuplane::store {

// ServiceUnavailable for a busy, unreachable, slow or full store (a full disk says so);
// InternalError for anything else, a bug.
Error StoreFailureError(const std::exception& failure);

// A write whose COMMIT was sent but whose outcome the database did not confirm in time: 503,
// not to be retried blindly (Error::retry_safe false), since it may have committed.
Error OutcomeUnknownError();

}  // namespace cuplane::store
