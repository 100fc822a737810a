// `cuplane operator-key create`: mints an operator key directly in the store, for a server
// that is stopped (or before its first start). The secret is printed once.
#pragma once

#include "cli/store_location.h"

namespace cuplane::cli {

int RunOperatorKeyCreate(const StoreLocation& location, bool json);

}  // namespace cuplane::cli
